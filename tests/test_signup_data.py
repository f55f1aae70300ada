"""A valid sign-up form, shared by the sign-up tests."""

SIGNUP = {
    "display_name": "Ada Newcomer",
    "email": "Ada.Newcomer@Example.org",
    "password1": "metadata-harvest-42",
    "password2": "metadata-harvest-42",
    "in_directory": "on",
}
