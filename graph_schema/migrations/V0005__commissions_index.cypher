// A producer's commissions in a period (labels for a batch, EPR: units placed on market) are found by an index on
// the events' party, type and time, not by walking every event the party ever recorded.
// Idempotent: IF NOT EXISTS, and named so a rerun finds it.
CREATE INDEX event_party_type_time IF NOT EXISTS FOR (e:Event) ON (e.party_id, e.type, e.event_time_utc);
