// The event log that live feeds (GraphQL subscriptions) poll, and listings of events by site, party and time.
// Idempotent: IF NOT EXISTS, and named so a rerun finds them.

// One :EventLog node holds the last log position handed out; the constraint makes concurrent first writers MERGE
// the same node instead of creating two.
CREATE CONSTRAINT event_log_name IF NOT EXISTS FOR (l:EventLog) REQUIRE l.name IS UNIQUE;

// Events after a log position: all of them, at a site, or recorded by a party.
CREATE INDEX event_seq IF NOT EXISTS FOR (e:Event) ON (e.seq);
CREATE INDEX event_site_seq IF NOT EXISTS FOR (e:Event) ON (e.site_id, e.seq);
CREATE INDEX event_party_seq IF NOT EXISTS FOR (e:Event) ON (e.party_id, e.seq);

// Events of a site, a party or a period, by time then id (keyset pagination).
CREATE INDEX event_time IF NOT EXISTS FOR (e:Event) ON (e.event_time_utc, e.id);
CREATE INDEX event_site_time IF NOT EXISTS FOR (e:Event) ON (e.site_id, e.event_time_utc);
CREATE INDEX event_party_time IF NOT EXISTS FOR (e:Event) ON (e.party_id, e.event_time_utc);
