// Uniqueness constraints: the only constraint kind Neo4j Community has.  Each one also creates the range index
// that every lookup by that key uses, and makes concurrent writers of the same key collide inside the database
// (the second one waits for the first, then fails with Neo.ClientError.Schema.ConstraintValidationFailed).
// Idempotent: IF NOT EXISTS, and named so a rerun finds them.

// Traced objects (items and lots) by their internal id.
CREATE CONSTRAINT object_id IF NOT EXISTS FOR (o:Object) REQUIRE o.id IS UNIQUE;

// One object per identifier key: how a concurrent commissioning of the same tag loses (IDENTIFIER_TAKEN).
CREATE CONSTRAINT identifier_key IF NOT EXISTS FOR (i:Identifier) REQUIRE i.key IS UNIQUE;

// One event per client-chosen event id: how a concurrent replay of the same event is stored once.
CREATE CONSTRAINT event_id IF NOT EXISTS FOR (e:Event) REQUIRE e.id IS UNIQUE;

// Master data, saved by MERGE on these keys (a MERGE without a constraint races and scans).
CREATE CONSTRAINT party_id IF NOT EXISTS FOR (p:Party) REQUIRE p.id IS UNIQUE;
CREATE CONSTRAINT site_id IF NOT EXISTS FOR (s:Site) REQUIRE s.id IS UNIQUE;
CREATE CONSTRAINT licence_number IF NOT EXISTS FOR (l:Licence) REQUIRE l.number IS UNIQUE;
CREATE CONSTRAINT model_id IF NOT EXISTS FOR (m:Model) REQUIRE m.id IS UNIQUE;

// The migration runner's own bookkeeping.
CREATE CONSTRAINT schema_migration_version IF NOT EXISTS FOR (m:SchemaMigration) REQUIRE m.version IS UNIQUE;
