// Range indexes for the queries the store runs (retrace/adapters/neo4j/queries.py).  Idempotent: IF NOT EXISTS.

// Site inventory: equality on site_id, then keyset pagination and order on id.
CREATE INDEX object_site_id IF NOT EXISTS FOR (o:Object) ON (o.site_id, o.id);

// Current contents of a container (children_of).
CREATE INDEX object_parent_id IF NOT EXISTS FOR (o:Object) ON (o.parent_id);

// Mass flows through a site in a period: equality on site_id, range on the UTC event time.
CREATE INDEX flow_site_time IF NOT EXISTS FOR (f:Flow) ON (f.site_id, f.event_time_utc);

// Licences of a party; and master data saved before its party, connected when the party arrives.
CREATE INDEX licence_party_id IF NOT EXISTS FOR (l:Licence) ON (l.party_id);
CREATE INDEX site_party_id IF NOT EXISTS FOR (s:Site) ON (s.party_id);
CREATE INDEX model_producer_id IF NOT EXISTS FOR (m:Model) ON (m.producer_id);
