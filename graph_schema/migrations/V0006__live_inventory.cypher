// What is at a site now (a yard's inventory): an object that is live there (active or remanufactured, not in
// transit, not treated or disposed) carries live_site_id = its site; any other object has no such property, and a
// range index leaves out nodes without the property.  So the index holds only what sits in the yards, and paging a
// site's inventory never reads the objects the site treated long ago (SQLite: a partial index, the same idea).
CREATE INDEX object_live_site IF NOT EXISTS FOR (o:Object) ON (o.live_site_id, o.id);

// Objects written before this migration get the property too, in transactions of 10,000.
MATCH (o:Object)
WHERE o.live_site_id IS NULL AND o.site_id IS NOT NULL AND o.status IN ['active', 'remanufactured']
CALL (o) {
  SET o.live_site_id = o.site_id
} IN TRANSACTIONS OF 10000 ROWS;
