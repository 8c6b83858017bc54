// Flow aggregates for recovery reports (retrace/domain/rates/aggregates.py): one :FlowAggregate node per month,
// site, party, material, fate … with the sums of the flow records of that key, updated in the commit that writes
// the records.  Idempotent: IF NOT EXISTS, and named so a rerun finds them.

// One node per key: concurrent commits MERGE the same node (the second waits for the first) instead of two.
CREATE CONSTRAINT flow_aggregate_key IF NOT EXISTS FOR (a:FlowAggregate) REQUIRE a.key IS UNIQUE;

// Reports read a range of months.
CREATE INDEX flow_aggregate_month IF NOT EXISTS FOR (a:FlowAggregate) ON (a.month);
