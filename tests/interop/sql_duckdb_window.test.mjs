// sql_duckdb_window.test.mjs - the differential suite's window functions (ranking, offsets,
// aggregates over ROWS and RANGE frames, interval RANGE on dates), QUALIFY, ORDER BY with
// NULLS FIRST/LAST and LIMIT/OFFSET (sql_diff_lib.mjs has the data and the comparison).
//
// Spark vs DuckDB (opts.duck spells the DuckDB side):
// - ORDER BY without NULLS FIRST/LAST: Spark puts NULLs first ascending and last descending,
//   DuckDB last both ways: the lib sets DuckDB's default_null_order to Spark's, and a few
//   queries below spell the order out on DuckDB's side as well.
// - ROWS frames over ties are arbitrary: frames order on order_id with its NULLs filtered out.
// - first(x, true)/last(x, true) are first_value/last_value(x IGNORE NULLS).
// - A window ORDER BY without a frame is RANGE UNBOUNDED PRECEDING to CURRENT ROW in both
//   (peers included); windows order ties arbitrarily, so every ranking below orders on a
//   unique key or compares only values equal across ties.
// - ntile, percent_rank and cume_dist follow the SQL standard in both.
import { suite } from './sql_diff_lib.mjs';

const W = 'PARTITION BY user_id ORDER BY order_id';

suite([
  // ranking
  ['row_number', `SELECT order_id, row_number() OVER (${W}) FROM orders WHERE user_id < 100`],
  ['rank and dense_rank with ties', 'SELECT order_id, rank() OVER (PARTITION BY status ORDER BY items), dense_rank() OVER (PARTITION BY status ORDER BY items) FROM orders WHERE order_id < 500'],
  ['rank with NULLs first', 'SELECT user_id, rank() OVER (ORDER BY age NULLS FIRST), rank() OVER (ORDER BY age DESC NULLS LAST) FROM users'],
  ['rank with the default NULL order', 'SELECT user_id, rank() OVER (ORDER BY age), rank() OVER (ORDER BY age DESC) FROM users',
    { duck: 'SELECT user_id, rank() OVER (ORDER BY age NULLS FIRST), rank() OVER (ORDER BY age DESC NULLS LAST) FROM users' }],
  ['percent_rank and cume_dist', 'SELECT order_id, percent_rank() OVER (PARTITION BY status ORDER BY total), cume_dist() OVER (PARTITION BY status ORDER BY total) FROM orders WHERE order_id < 800',
    { duck: 'SELECT order_id, percent_rank() OVER (PARTITION BY status ORDER BY total NULLS FIRST), cume_dist() OVER (PARTITION BY status ORDER BY total NULLS FIRST) FROM orders WHERE order_id < 800' }],
  ['ntile', 'SELECT order_id, ntile(4) OVER (PARTITION BY status ORDER BY order_id), ntile(3) OVER (ORDER BY order_id) FROM orders WHERE order_id < 300'],
  ['row_number over the skewed partition', 'SELECT event_id, row_number() OVER (PARTITION BY user_id ORDER BY event_ts, event_id) AS rn FROM events WHERE user_id <= 3 AND event_id IS NOT NULL',
    { duck: 'SELECT event_id, row_number() OVER (PARTITION BY user_id ORDER BY event_ts NULLS FIRST, event_id) AS rn FROM events WHERE user_id <= 3 AND event_id IS NOT NULL' }],
  ['ranking over unicode strings', 'SELECT user_id, dense_rank() OVER (ORDER BY name) FROM users WHERE user_id < 200',
    { duck: 'SELECT user_id, dense_rank() OVER (ORDER BY name NULLS FIRST) FROM users WHERE user_id < 200' }],
  ['top 3 per group', 'SELECT * FROM (SELECT status, order_id, total, row_number() OVER (PARTITION BY status ORDER BY total DESC, order_id) AS rn FROM orders WHERE total IS NOT NULL) WHERE rn <= 3'],
  // offsets
  ['lag and lead', `SELECT order_id, lag(total) OVER (${W}), lead(total) OVER (${W}), lag(order_date, 2) OVER (${W}) FROM orders WHERE user_id < 80`],
  ['lag with a default', `SELECT order_id, lag(items, 1, -1) OVER (${W}), lead(status, 3, 'none') OVER (${W}) FROM orders WHERE user_id < 80`],
  ['time between events with lag', 'SELECT event_id, unix_timestamp(event_ts) - unix_timestamp(lag(event_ts) OVER (PARTITION BY user_id ORDER BY event_id)) AS gap FROM events WHERE user_id BETWEEN 10 AND 40 AND event_id IS NOT NULL',
    { duck: 'SELECT event_id, floor(epoch(event_ts)) - floor(epoch(lag(event_ts) OVER (PARTITION BY user_id ORDER BY event_id))) FROM events WHERE user_id BETWEEN 10 AND 40 AND event_id IS NOT NULL' }],
  ['days between orders', `SELECT order_id, datediff(order_date, lag(order_date) OVER (${W})) FROM orders WHERE user_id < 100`,
    { duck: `SELECT order_id, date_diff('day', lag(order_date) OVER (${W}), order_date) FROM orders WHERE user_id < 100` }],
  ['first_value and last_value', `SELECT order_id, first_value(total) OVER (${W}), last_value(total) OVER (${W} ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM orders WHERE user_id < 100`],
  ['first and last ignoring NULLs', `SELECT order_id, first(status, true) OVER (${W}), last(discount, true) OVER (${W} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM orders WHERE user_id < 150`,
    { duck: `SELECT order_id, first_value(status IGNORE NULLS) OVER (${W}), last_value(discount IGNORE NULLS) OVER (${W} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM orders WHERE user_id < 150` }],
  ['nth_value', `SELECT order_id, nth_value(total, 2) OVER (${W} ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM orders WHERE user_id < 100`],
  // aggregates over frames
  ['running total', `SELECT order_id, sum(total) OVER (${W}), count(*) OVER (${W}) FROM orders WHERE user_id < 200`],
  ['whole-partition aggregates', 'SELECT order_id, sum(total) OVER (PARTITION BY user_id), avg(items) OVER (PARTITION BY user_id), max(order_ts) OVER (PARTITION BY user_id) FROM orders WHERE user_id < 200'],
  ['window over the whole table', 'SELECT order_id, count(*) OVER (), sum(items) OVER (), total / sum(total) OVER () FROM orders WHERE order_id < 100'],
  ['ROWS sliding frame', `SELECT order_id, sum(items) OVER (${W} ROWS BETWEEN 2 PRECEDING AND CURRENT ROW), avg(total) OVER (${W} ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM orders WHERE order_id IS NOT NULL AND user_id < 150`],
  ['ROWS frame ahead only', `SELECT order_id, min(total) OVER (${W} ROWS BETWEEN 1 FOLLOWING AND 3 FOLLOWING), max(items) OVER (${W} ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM orders WHERE order_id IS NOT NULL AND user_id < 150`],
  ['ROWS frame behind only', `SELECT order_id, count(total) OVER (${W} ROWS BETWEEN 5 PRECEDING AND 2 PRECEDING) FROM orders WHERE order_id IS NOT NULL AND user_id < 150`],
  ['RANGE over numbers with peers', 'SELECT order_id, sum(total) OVER (PARTITION BY status ORDER BY items RANGE BETWEEN 1 PRECEDING AND CURRENT ROW), count(*) OVER (PARTITION BY status ORDER BY items RANGE BETWEEN CURRENT ROW AND 2 FOLLOWING) FROM orders WHERE order_id < 600',
    { duck: 'SELECT order_id, sum(total) OVER (PARTITION BY status ORDER BY items NULLS FIRST RANGE BETWEEN 1 PRECEDING AND CURRENT ROW), count(*) OVER (PARTITION BY status ORDER BY items NULLS FIRST RANGE BETWEEN CURRENT ROW AND 2 FOLLOWING) FROM orders WHERE order_id < 600' }],
  ['RANGE default frame includes peers', 'SELECT order_id, sum(items) OVER (PARTITION BY user_id ORDER BY order_date) FROM orders WHERE user_id < 100',
    { duck: 'SELECT order_id, sum(items) OVER (PARTITION BY user_id ORDER BY order_date NULLS FIRST) FROM orders WHERE user_id < 100' }],
  ['RANGE interval on dates', 'SELECT order_id, count(*) OVER (PARTITION BY user_id ORDER BY order_date RANGE BETWEEN INTERVAL 30 DAYS PRECEDING AND CURRENT ROW), sum(total) OVER (PARTITION BY user_id ORDER BY order_date RANGE BETWEEN INTERVAL 7 DAYS PRECEDING AND INTERVAL 7 DAYS FOLLOWING) FROM orders WHERE user_id < 100',
    { duck: 'SELECT order_id, count(*) OVER (PARTITION BY user_id ORDER BY order_date NULLS FIRST RANGE BETWEEN INTERVAL 30 DAYS PRECEDING AND CURRENT ROW), sum(total) OVER (PARTITION BY user_id ORDER BY order_date NULLS FIRST RANGE BETWEEN INTERVAL 7 DAYS PRECEDING AND INTERVAL 7 DAYS FOLLOWING) FROM orders WHERE user_id < 100' }],
  ['RANGE interval over a leap day', "SELECT event_date, count(*) OVER (ORDER BY event_date RANGE BETWEEN INTERVAL 1 DAY PRECEDING AND INTERVAL 1 DAY FOLLOWING) FROM (SELECT DISTINCT event_date FROM events WHERE event_date BETWEEN '2024-02-20' AND '2024-03-05')",
    { duck: "SELECT event_date, count(*) OVER (ORDER BY event_date RANGE BETWEEN INTERVAL 1 DAY PRECEDING AND INTERVAL 1 DAY FOLLOWING) FROM (SELECT DISTINCT event_date FROM events WHERE event_date BETWEEN DATE '2024-02-20' AND DATE '2024-03-05')" }],
  ['RANGE interval on timestamps', 'SELECT event_id, count(*) OVER (PARTITION BY user_id ORDER BY event_ts RANGE BETWEEN INTERVAL 1 DAY PRECEDING AND CURRENT ROW) FROM events WHERE user_id < 30 AND event_ts IS NOT NULL'],
  ['RANGE interval of hours on timestamps', 'SELECT event_id, count(*) OVER (ORDER BY event_ts RANGE BETWEEN INTERVAL 6 HOURS PRECEDING AND INTERVAL 2 HOURS FOLLOWING) FROM events WHERE event_ts IS NOT NULL AND event_id >= 100000'],
  ['RANGE over doubles', 'SELECT order_id, count(*) OVER (PARTITION BY status ORDER BY discount RANGE BETWEEN 0.05D PRECEDING AND 0.05D FOLLOWING) FROM orders WHERE order_id < 700 AND discount IS NOT NULL',
    { duck: 'SELECT order_id, count(*) OVER (PARTITION BY status ORDER BY discount RANGE BETWEEN 0.05 PRECEDING AND 0.05 FOLLOWING) FROM orders WHERE order_id < 700 AND discount IS NOT NULL' }],
  ['RANGE over doubles with decimal bounds', 'SELECT order_id, count(*) OVER (PARTITION BY status ORDER BY discount RANGE BETWEEN 0.05 PRECEDING AND 0.05 FOLLOWING) FROM orders WHERE order_id < 700 AND discount IS NOT NULL'],
  ['RANGE with DESC order', 'SELECT order_id, sum(items) OVER (PARTITION BY user_id ORDER BY order_date DESC RANGE BETWEEN INTERVAL 10 DAYS PRECEDING AND CURRENT ROW) FROM orders WHERE user_id < 60 AND order_date IS NOT NULL'],
  ['RANGE UNBOUNDED FOLLOWING', 'SELECT order_id, count(*) OVER (PARTITION BY status ORDER BY items RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM orders WHERE order_id < 400',
    { duck: 'SELECT order_id, count(*) OVER (PARTITION BY status ORDER BY items NULLS FIRST RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM orders WHERE order_id < 400' }],
  ['statistics over windows', `SELECT order_id, stddev(total) OVER (PARTITION BY user_id), variance(items) OVER (${W} ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) FROM orders WHERE order_id IS NOT NULL AND user_id < 150`],
  ['count DISTINCT is not a window function', 'SELECT order_id, count(DISTINCT status) OVER (PARTITION BY user_id) FROM orders WHERE user_id < 5',
    { error: 'DISTINCT' }],
  ['collect_list over a window', `SELECT order_id, size(collect_list(items) OVER (${W} ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)) FROM orders WHERE user_id < 60`,
    { duck: `SELECT order_id, count(items) OVER (${W} ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM orders WHERE user_id < 60` }],
  ['windows on doubles at the edges', 'SELECT event_id, sum(revenue) OVER (PARTITION BY user_id ORDER BY event_id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW), max(revenue) OVER (PARTITION BY user_id) FROM events WHERE event_id >= 100000'],
  ['windows over decimals', `SELECT order_id, sum(total) OVER (${W} ROWS BETWEEN 3 PRECEDING AND CURRENT ROW), avg(total) OVER (PARTITION BY status) FROM orders WHERE user_id < 90`],
  ['several window specs', `SELECT order_id, row_number() OVER (${W}), rank() OVER (PARTITION BY status ORDER BY order_id), sum(items) OVER (PARTITION BY order_date) FROM orders WHERE user_id < 100`],
  ['named WINDOW clause', 'SELECT order_id, sum(items) OVER w, count(*) OVER w FROM orders WHERE user_id < 100 WINDOW w AS (PARTITION BY user_id ORDER BY order_id)'],
  ['window over an aggregate', 'SELECT status, count(*) AS n, rank() OVER (ORDER BY count(*) DESC), sum(count(*)) OVER () FROM orders GROUP BY status'],
  ['window then aggregate', `SELECT rn, count(*), sum(total) FROM (SELECT total, row_number() OVER (${W}) AS rn FROM orders WHERE order_id IS NOT NULL) GROUP BY rn`],
  ['window in an ORDER BY', 'SELECT order_id FROM orders WHERE user_id = 1 ORDER BY row_number() OVER (ORDER BY order_id DESC) LIMIT 5', { ordered: true }],
  // QUALIFY
  ['QUALIFY the latest order per user', 'SELECT user_id, order_id, order_date FROM orders WHERE user_id IS NOT NULL QUALIFY row_number() OVER (PARTITION BY user_id ORDER BY order_ts DESC NULLS LAST, order_id DESC) = 1'],
  ['QUALIFY with an aggregate window', 'SELECT order_id, user_id, total FROM orders QUALIFY total > 2 * avg(total) OVER (PARTITION BY user_id)'],
  ['QUALIFY with a window alias', 'SELECT order_id, rank() OVER (PARTITION BY status ORDER BY total DESC NULLS LAST, order_id) AS r FROM orders QUALIFY r <= 2'],
  ['QUALIFY over a grouped subquery', 'SELECT user_id, n FROM (SELECT user_id, count(*) AS n FROM orders GROUP BY user_id) QUALIFY dense_rank() OVER (ORDER BY n DESC) <= 3'],
  ['QUALIFY and WHERE', "SELECT event_id, user_id FROM events WHERE event_type = 'purchase' AND user_id < 50 QUALIFY lag(event_id) OVER (PARTITION BY user_id ORDER BY event_id) IS NULL"],
  // ORDER BY, NULLS FIRST/LAST, LIMIT/OFFSET
  ['ORDER BY with the default NULL order', 'SELECT user_id, age FROM users WHERE user_id < 100 ORDER BY age, user_id',
    { ordered: true, duck: 'SELECT user_id, age FROM users WHERE user_id < 100 ORDER BY age NULLS FIRST, user_id' }],
  ['ORDER BY DESC with the default NULL order', 'SELECT user_id, age FROM users WHERE user_id < 100 ORDER BY age DESC, user_id',
    { ordered: true, duck: 'SELECT user_id, age FROM users WHERE user_id < 100 ORDER BY age DESC NULLS LAST, user_id' }],
  ['NULLS FIRST and NULLS LAST', 'SELECT user_id, tier, country FROM users WHERE user_id < 120 ORDER BY tier DESC NULLS FIRST, country NULLS LAST, user_id', { ordered: true }],
  ['ORDER BY unicode strings', 'SELECT name FROM users WHERE user_id < 300 AND name IS NOT NULL ORDER BY name, user_id', { ordered: true }],
  ['ORDER BY extreme doubles', 'SELECT event_id, revenue FROM events WHERE event_id >= 100000 ORDER BY revenue, event_id', { ordered: true }],
  ['ORDER BY timestamps across DST', 'SELECT event_id, event_ts FROM events WHERE event_id >= 100000 ORDER BY event_ts DESC NULLS LAST, event_id', { ordered: true }],
  ['ORDER BY an expression not selected', 'SELECT order_id FROM orders WHERE user_id = 1 ORDER BY total * items DESC NULLS LAST, order_id LIMIT 20', { ordered: true }],
  ['ORDER BY ordinal and alias', 'SELECT status, count(*) AS n FROM orders GROUP BY status ORDER BY n DESC, 1', { ordered: true,
    duck: 'SELECT status, count(*) AS n FROM orders GROUP BY status ORDER BY n DESC, 1 NULLS FIRST' }],
  ['LIMIT', 'SELECT order_id, total FROM orders ORDER BY total DESC NULLS LAST, order_id LIMIT 10', { ordered: true }],
  ['LIMIT with OFFSET', 'SELECT order_id FROM orders WHERE order_id IS NOT NULL ORDER BY order_id LIMIT 5 OFFSET 100', { ordered: true }],
  ['OFFSET past the end', 'SELECT order_id FROM orders ORDER BY order_id LIMIT 5 OFFSET 100000', { ordered: true }],
  ['LIMIT 0', 'SELECT * FROM orders LIMIT 0'],
  ['LIMIT in a subquery', 'SELECT count(*), sum(total) FROM (SELECT total FROM orders ORDER BY order_id NULLS FIRST LIMIT 100)'],
  ['top-N over the skewed key', 'SELECT user_id, count(*) AS n FROM events GROUP BY user_id ORDER BY n DESC, user_id NULLS FIRST LIMIT 5', { ordered: true }],
  ['DISTINCT with ORDER BY and LIMIT', 'SELECT DISTINCT status FROM orders ORDER BY status NULLS LAST LIMIT 3', { ordered: true }],
]);
