// Parse iCalendar objects with ical.js (Mozilla's parser, used by Thunderbird) and print
// what a client would read: the method, and per VEVENT every property with its parameters.
// Input on stdin: a JSON list of iCalendar texts. Output: a JSON list, one entry each.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const texts = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const out = texts.map((text) => {
  const root = new ICAL.Component(ICAL.parse(text));
  return {
    method: root.getFirstPropertyValue("method"),
    calendarProperties: root.getAllProperties().map((p) => p.name),
    events: root.getAllSubcomponents("vevent").map((vevent) => {
      const event = new ICAL.Event(vevent);
      return {
        uid: event.uid,
        sequence: event.sequence,
        summary: event.summary,
        location: event.location,
        start: event.startDate.toJSDate().toISOString(),
        end: event.endDate.toJSDate().toISOString(),
        status: vevent.getFirstPropertyValue("status"),
        comment: vevent.getFirstPropertyValue("comment"),
        organizer: vevent.getFirstPropertyValue("organizer"),
        attendees: event.attendees.map((a) => ({
          value: a.getFirstValue(),
          partstat: a.getParameter("partstat"),
          cn: a.getParameter("cn"),
        })),
        properties: vevent.getAllProperties().map((p) => p.name),
      };
    }),
  };
});
process.stdout.write(JSON.stringify(out));
