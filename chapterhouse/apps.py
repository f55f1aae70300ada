from django.apps import AppConfig


class ChapterhouseConfig(AppConfig):
    name = "chapterhouse"
    verbose_name = "Chapterhouse"
