// sql_duckdb_seed.test.mjs - the differential suite's seed queries, written the way a
// Databricks analyst writes them, and variations of each (sql_diff_lib.mjs has the data).
// The queries live in sql_seed_queries.mjs; the same three run at 10M events in
// tests/bench/sql_bench.mjs.
//
// 1. daily user features: per user per day, event counts by type (count_if), revenue sums,
//    distinct counts and the last event time;
// 2. rolling 7/30-day windows over those features: RANGE frames with day intervals, the last
//    purchase day with last(x, true) and the days since it with datediff;
// 3. the churn dashboard: users LEFT JOIN labels and order totals USING (user_id),
//    GROUP BY 1, 2 ORDER BY 1 DESC, 4 DESC.
//
// Spark vs DuckDB (opts.duck spells the DuckDB side):
// - count_if(p) counts the rows where p is true: 0 for a group where p is always NULL, where
//   DuckDB's count_if gives NULL: DuckDB counts CASE WHEN p THEN 1 END.
// - last(x, true) is last_value(x IGNORE NULLS); datediff(end, start) is
//   date_diff('day', start, end).
// - date_trunc('MONTH', date) is a TIMESTAMP in Spark, a DATE in DuckDB: cast on DuckDB's side.
// - ORDER BY 1 DESC, 4 DESC leaves ties unordered: the rows compare as a multiset and our
//   order is checked on the sort keys alone (opts.orderBy), with Spark's NULLS LAST for DESC.
// - Sums of doubles in different orders differ in the last bits: compared within 1e-9.
import { suite } from './sql_diff_lib.mjs';
import { DAILY, SEED_QUERIES } from './sql_seed_queries.mjs';

const desc14 = { orderBy: [[0, 'desc'], [3, 'desc']] };

suite([
  ['seed: daily user features', SEED_QUERIES.daily[0], { duck: SEED_QUERIES.daily[1] }],
  ['seed: rolling 7/30-day windows', SEED_QUERIES.rolling[0], { duck: SEED_QUERIES.rolling[1] }],
  ['seed: churn dashboard', SEED_QUERIES.churn[0], { duck: SEED_QUERIES.churn[1], ...desc14 }],
  // variations
  ['daily features of the hot users', `SELECT * FROM (${DAILY}) WHERE user_id <= 3 ORDER BY user_id, event_date`,
    { ordered: true, duck: `SELECT * FROM (${SEED_QUERIES.daily[1]}) WHERE user_id <= 3 ORDER BY user_id, event_date` }],
  // 160k rows: the workers split the rows by key hash as they collect them (past 32k rows
  // each) and the partitions aggregate in parallel, some workers' rows split afterwards
  ['daily features over 8 copies of the events (DISTINCT in parallel)', `SELECT user_id, event_date, count(*) AS n,
    count(DISTINCT event_type) AS types, count(DISTINCT page) AS pages, count(DISTINCT c) AS copies, sum(DISTINCT qty) AS qtys
    FROM events, (VALUES (1), (2), (3), (4), (5), (6), (7), (8)) AS k(c) GROUP BY user_id, event_date`],
  ['daily features rolled up per user', `SELECT user_id, count(*) AS days, sum(events), sum(purchases), max(last_event_ts), sum(pages) FROM (${DAILY}) GROUP BY user_id`,
    { duck: `SELECT user_id, count(*) AS days, sum(events), sum(purchases), max(last_event_ts), sum(pages) FROM (${SEED_QUERIES.daily[1]}) GROUP BY user_id` }],
  ['daily features with a FILTER clause', `SELECT user_id, event_date, count(*) FILTER (WHERE event_type = 'view') AS views,
    sum(revenue) FILTER (WHERE event_type = 'purchase') AS purchase_revenue, max(event_ts) FILTER (WHERE event_type = 'click') AS last_click
    FROM events WHERE user_id < 50 GROUP BY user_id, event_date`],
  ['daily features from timestamps', `SELECT user_id, to_date(event_ts) AS day, count(*) AS events, min(event_ts) AS first_seen, max(event_ts) AS last_seen,
    (unix_timestamp(max(event_ts)) - unix_timestamp(min(event_ts))) / 60 AS active_minutes
    FROM events WHERE event_ts IS NOT NULL AND user_id IS NOT NULL GROUP BY 1, 2`,
  { duck: `SELECT user_id, CAST(event_ts AS DATE) AS day, count(*), min(event_ts), max(event_ts),
    (floor(epoch(max(event_ts))) - floor(epoch(min(event_ts)))) / 60 FROM events WHERE event_ts IS NOT NULL AND user_id IS NOT NULL GROUP BY 1, 2` }],
  ['daily features per event type pivoted by hand', `SELECT event_date, sum(CASE WHEN event_type = 'view' THEN 1 ELSE 0 END) AS views,
    sum(CASE WHEN event_type = 'purchase' THEN 1 ELSE 0 END) AS purchases, round(sum(CASE WHEN event_type = 'purchase' THEN revenue ELSE 0 END) / nullif(count(DISTINCT user_id), 0), 6) AS arpu
    FROM events WHERE event_date IS NOT NULL AND abs(revenue) < 1e6 GROUP BY event_date ORDER BY event_date`, { ordered: true }],
  ['rolling windows of the hot users', `SELECT * FROM (${SEED_QUERIES.rolling[0]}) WHERE user_id <= 4`, { duck: `SELECT * FROM (${SEED_QUERIES.rolling[1]}) WHERE user_id <= 4` }],
  ['rolling windows over ROWS', `WITH daily AS (SELECT user_id, event_date, count(*) AS n FROM events WHERE user_id < 100 AND event_date IS NOT NULL GROUP BY 1, 2)
    SELECT user_id, event_date, sum(n) OVER (PARTITION BY user_id ORDER BY event_date ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS last7,
    avg(n) OVER (PARTITION BY user_id ORDER BY event_date ROWS BETWEEN 29 PRECEDING AND CURRENT ROW) AS avg30 FROM daily`],
  ['rolling windows with a following frame', `WITH daily AS (SELECT user_id, event_date, count(*) AS n FROM events WHERE user_id < 60 AND event_date IS NOT NULL GROUP BY 1, 2)
    SELECT user_id, event_date, sum(n) OVER (PARTITION BY user_id ORDER BY event_date RANGE BETWEEN INTERVAL 3 DAYS PRECEDING AND INTERVAL 3 DAYS FOLLOWING) AS centered FROM daily`],
  ['rolling 7 days over the whole table', `SELECT event_date, count(*) OVER (ORDER BY event_date RANGE BETWEEN INTERVAL 6 DAYS PRECEDING AND CURRENT ROW) AS c
    FROM (SELECT DISTINCT event_date FROM events WHERE event_date IS NOT NULL)`],
  ['last non-NULL value carried forward', `SELECT user_id, event_id, last(page, true) OVER (PARTITION BY user_id ORDER BY event_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS p
    FROM events WHERE user_id BETWEEN 10 AND 30 AND event_id IS NOT NULL`,
  { duck: `SELECT user_id, event_id, last_value(page IGNORE NULLS) OVER (PARTITION BY user_id ORDER BY event_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
    FROM events WHERE user_id BETWEEN 10 AND 30 AND event_id IS NOT NULL` }],
  ['first non-NULL value and days since signup', `SELECT e.user_id, e.event_id, first(e.qty, true) OVER (PARTITION BY e.user_id ORDER BY e.event_id) AS q, datediff(e.event_date, u.signup_date) AS age_days
    FROM events e JOIN users u USING (user_id) WHERE e.user_id BETWEEN 100 AND 130 AND e.event_id IS NOT NULL`,
  { duck: `SELECT e.user_id, e.event_id, first_value(e.qty IGNORE NULLS) OVER (PARTITION BY e.user_id ORDER BY e.event_id), date_diff('day', u.signup_date, e.event_date)
    FROM events e JOIN users u USING (user_id) WHERE e.user_id BETWEEN 100 AND 130 AND e.event_id IS NOT NULL` }],
  ['churn dashboard by country', `SELECT u.country, coalesce(l.label, 'unlabeled') AS status, count(DISTINCT user_id) AS users, sum(o.total) AS revenue
    FROM users u LEFT JOIN labels l USING (user_id) LEFT JOIN orders o USING (user_id) GROUP BY 1, 2 ORDER BY 1 DESC, 4 DESC`, desc14],
  ['churn dashboard with the latest label', `WITH latest AS (
      SELECT user_id, label FROM (SELECT user_id, label, row_number() OVER (PARTITION BY user_id ORDER BY label_date DESC NULLS LAST, label) AS rn FROM labels) WHERE rn = 1)
    SELECT tier, coalesce(label, 'unlabeled') AS status, count(*) AS users, sum(o.n) AS orders
    FROM users LEFT JOIN latest USING (user_id) LEFT JOIN (SELECT user_id, count(*) AS n FROM orders GROUP BY user_id) o USING (user_id)
    GROUP BY 1, 2 ORDER BY 1 DESC, 4 DESC`, desc14],
  ['churn dashboard, latest label by QUALIFY', `WITH latest AS (SELECT user_id, label, confidence FROM labels
      QUALIFY row_number() OVER (PARTITION BY user_id ORDER BY label_date DESC NULLS LAST, label NULLS LAST, confidence NULLS LAST) = 1)
    SELECT date_trunc('MONTH', signup_date) AS m, label, count(*) AS users, max(confidence) AS conf
    FROM users LEFT JOIN latest USING (user_id) GROUP BY 1, 2 ORDER BY 1 DESC, 4 DESC`,
  { duck: `WITH latest AS (SELECT user_id, label, confidence FROM labels
      QUALIFY row_number() OVER (PARTITION BY user_id ORDER BY label_date DESC NULLS LAST, label NULLS LAST, confidence NULLS LAST) = 1)
    SELECT CAST(date_trunc('month', signup_date) AS TIMESTAMP) AS m, label, count(*) AS users, max(confidence) AS conf
    FROM users LEFT JOIN latest USING (user_id) GROUP BY 1, 2 ORDER BY 1 DESC, 4 DESC`, ...desc14 }],
  ['churned users who still order', `SELECT user_id, count(*) AS orders, max(order_date) AS last_order FROM orders
    WHERE user_id IN (SELECT user_id FROM labels WHERE label = 'churned') GROUP BY 1 HAVING count(*) > 2 ORDER BY 2 DESC, 1`, { ordered: true }],
  ['days since the last order per user', `SELECT user_id, max(order_date) AS last_order, datediff(DATE '2025-06-01', max(order_date)) AS recency,
    CASE WHEN datediff(DATE '2025-06-01', max(order_date)) > 90 THEN 'churn risk' ELSE 'active' END AS state FROM orders GROUP BY user_id`,
  { duck: `SELECT user_id, max(order_date), date_diff('day', max(order_date), DATE '2025-06-01'),
    CASE WHEN date_diff('day', max(order_date), DATE '2025-06-01') > 90 THEN 'churn risk' ELSE 'active' END FROM orders GROUP BY user_id` }],
]);
