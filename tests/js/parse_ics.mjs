// Read an .ics file as web calendar clients do, with ical.js, and print its events as JSON:
//   node tests/js/parse_ics.mjs calendar.ics
// The tests compare the output with what the meetings should be.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function utc(time) {
  return time.toJSDate().toISOString();
}

const path = process.argv[2];
if (!path) {
  console.error("usage: node tests/js/parse_ics.mjs FILE.ics");
  process.exit(2);
}
const calendar = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));

// Times with a TZID convert through the file's own VTIMEZONEs, not zones ical.js knows.
ICAL.TimezoneService.reset();
const timezones = calendar.getAllSubcomponents("vtimezone").map((vtimezone) => {
  const zone = new ICAL.Timezone(vtimezone);
  ICAL.TimezoneService.register(zone);
  return zone.tzid;
});

const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  return {
    uid: event.uid,
    sequence: event.sequence,
    status: vevent.getFirstPropertyValue("status"),
    summary: event.summary,
    start: utc(event.startDate),
    end: utc(event.endDate),
    start_tzid: event.startDate.zone.tzid,
  };
});

console.log(JSON.stringify({ timezones, events }, null, 2));
