// sql_duckdb_agg.test.mjs - the differential suite's aggregation: GROUP BY, ROLLUP, CUBE,
// GROUPING SETS with grouping()/grouping_id(), HAVING, DISTINCT and FILTER, PIVOT, the
// statistical and percentile aggregates, approx_count_distinct, and arrays (collect_list,
// explode, element_at, size) (sql_diff_lib.mjs has the data and the comparison).
//
// Spark vs DuckDB (opts.duck spells the DuckDB side, opts.expect checks Spark's logic):
// - collect_list/collect_set skip NULLs and give [] for a group without values (DuckDB's list
//   keeps NULLs and is NULL when empty): DuckDB filters and coalesces; both sides sort.
// - sort_array puts NULLs first ascending; explode is unnest; size(NULL) is NULL (ANSI);
//   element_at counts from 1 (and from the end when negative).
// - count(DISTINCT a, b) counts the pairs without a NULL: DuckDB counts DISTINCT row(a, b)
//   over the rows where both are set.
// - PIVOT (agg FOR col IN (v, ...)) is written with FILTER clauses for DuckDB.
// - percentile(x, p)/median interpolate like DuckDB's quantile_cont; percentile_disc matches.
// - approx_count_distinct is HyperLogLog++ with a 5% standard error: checked within 10% of
//   the exact count.
// - grouping_id(a, b) is DuckDB's grouping(a, b).
// - Integer sums are BIGINT in Spark (HUGEINT in DuckDB): same values while they fit.
// - stddev/variance of one row are NULL in both (sample); avg of decimals is a decimal in
//   Spark, a double in DuckDB: compared as numbers.
import assert from 'node:assert/strict';
import { suite } from './sql_diff_lib.mjs';

const listOf = (x, where = 'TRUE') => `coalesce(list_sort(list(${x}) FILTER (WHERE ${x} IS NOT NULL AND ${where})), [])`;
const setOf = (x) => `coalesce(list_sort(list(DISTINCT ${x}) FILTER (WHERE ${x} IS NOT NULL)), [])`;

// approx_count_distinct within 10% of the exact count (column 1 approximate, 2 exact).
const approx = (rows) => {
  assert.ok(rows.length > 0);
  for (const [, a, e] of rows) assert.ok(Math.abs(Number(a) - Number(e)) <= 0.1 * Number(e) + 1, `approx ${a} vs exact ${e}`);
};

suite([
  // GROUP BY and HAVING
  ['group by one key', 'SELECT event_type, count(*), count(revenue), sum(qty), min(event_ts), max(event_date) FROM events GROUP BY event_type'],
  ['group by ordinal and alias', 'SELECT year(order_date) AS y, month(order_date) AS m, count(*) AS n FROM orders GROUP BY 1, 2'],
  ['group by an expression', 'SELECT user_id % 10, count(*), sum(items) FROM orders GROUP BY user_id % 10'],
  ['group by NULL-heavy keys', 'SELECT tier, country, count(*), avg(age) FROM users WHERE age BETWEEN -1000 AND 1000 OR age IS NULL GROUP BY tier, country'],
  ['group by a timestamp', 'SELECT date_trunc(\'HOUR\', event_ts) AS h, count(*) FROM events WHERE event_ts < \'2024-01-03\' GROUP BY 1',
    { duck: "SELECT date_trunc('hour', event_ts) AS h, count(*) FROM events WHERE event_ts < TIMESTAMP '2024-01-03' GROUP BY 1" }],
  ['group by a unicode string', 'SELECT page, count(*), min(event_id) FROM events GROUP BY page'],
  ['group by a decimal', 'SELECT total, count(*) FROM orders WHERE total < 100 GROUP BY total'],
  ['group by a double with signed zero', 'SELECT revenue, count(*) FROM events WHERE revenue <= 0 GROUP BY revenue'],
  ['group by all the skewed keys', 'SELECT user_id, count(*) FROM events GROUP BY user_id HAVING count(*) > 60'],
  ['HAVING with an aggregate not selected', 'SELECT status FROM orders GROUP BY status HAVING avg(items) > 3.9 AND max(total) > 9000'],
  ['HAVING without GROUP BY', 'SELECT count(*) FROM labels HAVING count(*) > 10'],
  ['aggregates over an empty input', 'SELECT count(*), sum(total), avg(total), min(order_date), max(status) FROM orders WHERE order_id < 0'],
  ['group by over an empty input', 'SELECT status, count(*) FROM orders WHERE order_id < 0 GROUP BY status'],
  ['count DISTINCT of several columns', 'SELECT count(DISTINCT user_id, event_type) FROM events',
    { duck: 'SELECT count(DISTINCT row(user_id, event_type)) FROM events WHERE user_id IS NOT NULL AND event_type IS NOT NULL' }],
  ['several DISTINCT aggregates', 'SELECT event_type, count(DISTINCT user_id), count(DISTINCT event_date), sum(DISTINCT qty), avg(DISTINCT qty) FROM events GROUP BY event_type'],
  ['FILTER clauses', "SELECT status, count(*) FILTER (WHERE items > 4), sum(total) FILTER (WHERE discount > 0.2), max(order_ts) FILTER (WHERE items IS NULL) FROM orders GROUP BY status"],
  ['count_if and sum of booleans', "SELECT tier, count_if(age > 40), sum(CASE WHEN country = 'JP' THEN 1 ELSE 0 END) FROM users GROUP BY tier",
    { duck: "SELECT tier, count(CASE WHEN age > 40 THEN 1 END), sum(CASE WHEN country = 'JP' THEN 1 ELSE 0 END) FROM users GROUP BY tier" }],
  ['bool_and, bool_or, every, some', 'SELECT status, bool_and(items > 0), bool_or(discount > 0.45), every(total > 0), some(items = 8) FROM orders GROUP BY status',
    { duck: 'SELECT status, bool_and(items > 0), bool_or(discount > 0.45), bool_and(total > 0), bool_or(items = 8) FROM orders GROUP BY status' }],
  ['min and max of every type', 'SELECT min(name), max(name), min(signup_date), max(signup_date), min(score), max(score), min(big), max(big), min(age), max(age) FROM users'],
  ['min_by and max_by with unique keys', 'SELECT status, min_by(order_id, order_ts), max_by(order_id, order_ts) FROM orders WHERE order_ts IS NOT NULL GROUP BY status',
    { duck: 'SELECT status, arg_min(order_id, order_ts), arg_max(order_id, order_ts) FROM orders WHERE order_ts IS NOT NULL GROUP BY status' }],
  ['sum and avg of big integers', 'SELECT sum(big), avg(big) FROM users WHERE user_id > 2'],
  // Spark (ANSI) raises on a BIGINT sum that overflows, DuckDB sums in HUGEINT
  ['sum overflow is an error', 'SELECT sum(big) FROM users WHERE big > 0', { error: 'ARITHMETIC_OVERFLOW' }],
  // (over every row the sum need not overflow: MAX and MIN come first and cancel)
  ['try_sum overflow is NULL', 'SELECT try_sum(big), try_avg(big) FROM users WHERE big > 0',
    { expect: (rows) => assert.equal(rows[0][0], null) }],
  ['avg of INT extremes', 'SELECT avg(age), sum(age), count(age) FROM users'],
  ['statistics', 'SELECT status, stddev(total), stddev_pop(total), variance(discount), var_samp(items), var_pop(items) FROM orders GROUP BY status'],
  ['correlation and covariance', 'SELECT status, corr(items, discount), covar_pop(items, total), covar_samp(items, discount) FROM orders GROUP BY status', { tol: 1e-7 }],
  ['linear regression', 'SELECT status, regr_count(total, items), regr_avgx(total, items), regr_avgy(total, discount), regr_sxx(total, items), regr_syy(total, items), regr_sxy(total, items), regr_slope(total, items), regr_intercept(total, items), regr_r2(total, discount) FROM orders GROUP BY status', { tol: 1e-7 }],
  ['stddev of a single row is NULL', 'SELECT user_id, stddev_samp(total), var_samp(total), stddev_pop(total) FROM orders WHERE order_id IN (10, 11, 12) GROUP BY user_id'],
  ['double sums in any order', 'SELECT user_id, sum(revenue), avg(revenue) FROM events WHERE user_id BETWEEN 1 AND 4 GROUP BY user_id'],
  // grouping sets
  ['ROLLUP', 'SELECT status, items, count(*), sum(total) FROM orders GROUP BY ROLLUP (status, items)'],
  ['ROLLUP with grouping()', 'SELECT tier, country, grouping(tier), grouping(country), count(*) FROM users GROUP BY ROLLUP (tier, country)'],
  ['CUBE with grouping_id()', 'SELECT tier, country, grouping_id(tier, country), count(*) FROM users GROUP BY CUBE (tier, country)',
    { duck: 'SELECT tier, country, grouping(tier, country), count(*) FROM users GROUP BY CUBE (tier, country)' }],
  ['GROUPING SETS', 'SELECT status, items, year(order_date), count(*) FROM orders GROUP BY GROUPING SETS ((status), (items, year(order_date)), ())'],
  ['GROUPING SETS with NULL keys told apart', "SELECT CASE WHEN grouping(tier) = 1 THEN 'ALL' ELSE coalesce(tier, 'none') END AS t, count(*) FROM users GROUP BY GROUPING SETS ((tier), ())"],
  ['ROLLUP with HAVING on grouping()', 'SELECT status, items, sum(items) FROM orders GROUP BY ROLLUP (status, items) HAVING grouping(items) = 1'],
  ['ROLLUP ordered with the totals last', 'SELECT status, count(*) AS n FROM orders GROUP BY ROLLUP (status) ORDER BY grouping(status), status NULLS FIRST', { ordered: true }],
  ['GROUP BY with ROLLUP suffix', 'SELECT tier, count(*) FROM users GROUP BY tier WITH ROLLUP',
    { duck: 'SELECT tier, count(*) FROM users GROUP BY ROLLUP (tier)' }],
  ['CUBE over dates', 'SELECT year(signup_date), quarter(signup_date), count(*) FROM users GROUP BY CUBE (year(signup_date), quarter(signup_date))'],
  // PIVOT
  ['PIVOT one aggregate', "SELECT * FROM (SELECT items, status, total FROM orders) PIVOT (sum(total) FOR status IN ('placed', 'shipped', 'delivered'))",
    { duck: "SELECT items, sum(total) FILTER (WHERE status = 'placed'), sum(total) FILTER (WHERE status = 'shipped'), sum(total) FILTER (WHERE status = 'delivered') FROM orders GROUP BY items" }],
  ['PIVOT with aliases and two aggregates', "SELECT * FROM (SELECT tier, country, age FROM users WHERE age BETWEEN -1000 AND 1000) PIVOT (count(*) AS n, avg(age) AS a FOR country IN ('US' AS us, 'JP' AS jp))",
    { duck: "SELECT tier, count(*) FILTER (WHERE country = 'US'), avg(age) FILTER (WHERE country = 'US'), count(*) FILTER (WHERE country = 'JP'), avg(age) FILTER (WHERE country = 'JP') FROM users WHERE age BETWEEN -1000 AND 1000 GROUP BY tier" }],
  ['PIVOT on event types per day', "SELECT * FROM (SELECT event_date, event_type FROM events WHERE event_date < '2024-01-20') PIVOT (count(*) FOR event_type IN ('view', 'click', 'purchase'))",
    { duck: "SELECT event_date, count(*) FILTER (WHERE event_type = 'view'), count(*) FILTER (WHERE event_type = 'click'), count(*) FILTER (WHERE event_type = 'purchase') FROM events WHERE event_date < DATE '2024-01-20' GROUP BY event_date" }],
  // percentiles and approximations
  ['percentile and median', 'SELECT status, percentile(total, 0.5), median(total), percentile(items, 0.9) FROM orders GROUP BY status',
    { duck: 'SELECT status, quantile_cont(total, 0.5), quantile_cont(total, 0.5), quantile_cont(items, 0.9) FROM orders GROUP BY status' }],
  ['percentile_cont and percentile_disc', 'SELECT tier, percentile_cont(0.25) WITHIN GROUP (ORDER BY score), percentile_disc(0.25) WITHIN GROUP (ORDER BY score), percentile_cont(0.5) WITHIN GROUP (ORDER BY age DESC) FROM users WHERE abs(score) < 1e6 GROUP BY tier'],
  ['percentile with an array of fractions', 'SELECT status, percentile(items, array(0.1, 0.5, 0.9)), percentile_disc(0.5) WITHIN GROUP (ORDER BY total DESC) FROM orders GROUP BY status',
    { duck: 'SELECT status, quantile_cont(items, [0.1, 0.5, 0.9]), percentile_disc(0.5) WITHIN GROUP (ORDER BY total DESC) FROM orders GROUP BY status' }],
  ['percentile_disc descending', 'SELECT status, percentile_disc(0.5) WITHIN GROUP (ORDER BY total DESC), percentile_disc(0.25) WITHIN GROUP (ORDER BY items DESC) FROM orders GROUP BY status'],
  // percentile_disc is the first value whose cumulative distribution reaches p (Spark 3.5);
  // DuckDB picks floor(p * (n - 1)), the same position for p = 0.25 and 0.5 but not for 0.3
  ['percentile_disc at 0.3', 'SELECT percentile_disc(0.3) WITHIN GROUP (ORDER BY x) FROM VALUES (1), (2), (3), (4) AS t(x)',
    { duck: 'SELECT 2.0' }],
  ['approx_count_distinct', 'SELECT event_type, approx_count_distinct(user_id), count(DISTINCT user_id) FROM events GROUP BY event_type', { expect: approx }],
  ['approx_count_distinct of strings', 'SELECT event_date IS NULL, approx_count_distinct(page), count(DISTINCT page) FROM events GROUP BY 1', { expect: approx }],
  ['approx_count_distinct over everything', "SELECT 'all', approx_count_distinct(event_id), count(DISTINCT event_id) FROM events", { expect: approx }],
  ['percentile_approx of a small group is exact', 'SELECT status, percentile_approx(items, 0.5), percentile_approx(total, 0.25) FROM orders GROUP BY status',
    { duck: 'SELECT status, quantile_disc(items, 0.5), quantile_disc(total, 0.25) FROM orders GROUP BY status' }],
  // arrays
  ['collect_list sorted', 'SELECT user_id, sort_array(collect_list(items)) FROM orders WHERE user_id < 30 GROUP BY user_id',
    { duck: `SELECT user_id, ${listOf('items')} FROM orders WHERE user_id < 30 GROUP BY user_id` }],
  ['collect_set sorted', 'SELECT status, sort_array(collect_set(items)) FROM orders GROUP BY status',
    { duck: `SELECT status, ${setOf('items')} FROM orders GROUP BY status` }],
  ['array_agg of strings', 'SELECT tier, size(array_agg(country)), sort_array(collect_set(country)) FROM users GROUP BY tier',
    { duck: `SELECT tier, count(country), ${setOf('country')} FROM users GROUP BY tier` }],
  ['collect_list of an all-NULL group is empty', 'SELECT user_id, collect_list(label_date), size(collect_list(label_date)) FROM labels WHERE user_id IS NULL AND label_date IS NULL GROUP BY user_id',
    { duck: 'SELECT user_id, [], 0 FROM labels WHERE user_id IS NULL AND label_date IS NULL GROUP BY user_id' }],
  ['sort_array descending', 'SELECT user_id, sort_array(collect_set(label), false) FROM labels WHERE user_id < 40 GROUP BY user_id',
    { duck: `SELECT user_id, coalesce(list_reverse_sort(list(DISTINCT label) FILTER (WHERE label IS NOT NULL)), []) FROM labels WHERE user_id < 40 GROUP BY user_id` }],
  ['explode a collected list', 'SELECT user_id, explode(collect_list(items)) FROM orders WHERE user_id BETWEEN 40 AND 60 GROUP BY user_id',
    { duck: 'SELECT user_id, unnest(list(items) FILTER (WHERE items IS NOT NULL)) FROM orders WHERE user_id BETWEEN 40 AND 60 GROUP BY user_id' }],
  ['explode a collected list in a subquery', 'SELECT user_id, explode(l) FROM (SELECT user_id, collect_list(items) AS l FROM orders WHERE user_id BETWEEN 40 AND 60 GROUP BY user_id)',
    { duck: 'SELECT user_id, unnest(list(items) FILTER (WHERE items IS NOT NULL)) FROM orders WHERE user_id BETWEEN 40 AND 60 GROUP BY user_id' }],
  ['explode of split strings', "SELECT page, explode(split(page, ' ')) FROM events WHERE event_id < 50",
    { duck: "SELECT page, unnest(string_split(page, ' ')) FROM events WHERE event_id < 50" }],
  ['posexplode', "SELECT event_id, posexplode(split(page, '/')) FROM events WHERE event_id < 20",
    { duck: "SELECT event_id, generate_subscripts(string_split(page, '/'), 1) - 1, unnest(string_split(page, '/')) FROM events WHERE event_id < 20" }],
  ['LATERAL VIEW explode', "SELECT u.user_id, t.c FROM users u LATERAL VIEW explode(array(u.tier, u.country)) t AS c WHERE u.user_id < 30",
    { duck: 'SELECT u.user_id, unnest([u.tier, u.country]) FROM users u WHERE u.user_id < 30' }],
  ['element_at and size', 'SELECT user_id, size(l), element_at(l, 1), element_at(l, -1), l[0] FROM (SELECT user_id, sort_array(collect_list(order_id)) AS l FROM orders WHERE user_id < 50 GROUP BY user_id)',
    { duck: `SELECT user_id, len(l), l[1], l[-1], l[1] FROM (SELECT user_id, ${listOf('order_id')} AS l FROM orders WHERE user_id < 50 GROUP BY user_id)` }],
  ['array_contains and array_distinct', 'SELECT user_id, array_contains(collect_list(status), \'returned\'), size(array_distinct(collect_list(status))) FROM orders WHERE user_id < 60 GROUP BY user_id',
    { duck: "SELECT user_id, coalesce(list_contains(list(status), 'returned'), false), count(DISTINCT status) FROM orders WHERE user_id < 60 GROUP BY user_id" }],
  ['size of NULL', 'SELECT size(CAST(NULL AS ARRAY<INT>)), size(array()), size(array(1, NULL))',
    { duck: 'SELECT NULL, 0, 2' }],
  // an array's text: Spark's CAST(array AS STRING) and DuckDB's agree ([a, b], dates unquoted)
  ['arrays of dates', 'SELECT user_id, CAST(sort_array(collect_list(label_date)) AS STRING) FROM labels WHERE user_id < 30 GROUP BY user_id',
    { duck: `SELECT user_id, CAST(${listOf('label_date')} AS VARCHAR) FROM labels WHERE user_id < 30 GROUP BY user_id` }],
  ['array functions', 'SELECT array_max(a), array_min(a), array_position(a, 3), slice(a, 2, 2), array_join(CAST(a AS ARRAY<STRING>), \'-\') FROM (SELECT sort_array(collect_list(items)) AS a FROM orders WHERE user_id < 20 GROUP BY user_id)',
    { duck: `SELECT list_max(a), list_min(a), coalesce(list_position(a, 3), 0), a[2:3], array_to_string(a, '-') FROM (SELECT ${listOf('items')} AS a FROM orders WHERE user_id < 20 GROUP BY user_id)` }],
  ['group by an array', 'SELECT a, count(*) FROM (SELECT user_id, sort_array(collect_set(label)) AS a FROM labels GROUP BY user_id) GROUP BY a',
    { duck: `SELECT a, count(*) FROM (SELECT user_id, ${setOf('label')} AS a FROM labels GROUP BY user_id) GROUP BY a` }],
  ['struct fields', "SELECT s.u, s.t FROM (SELECT named_struct('u', user_id, 't', tier) AS s FROM users WHERE user_id < 25)",
    { duck: 'SELECT user_id, tier FROM users WHERE user_id < 25' }],
  ['map lookups', "SELECT user_id, map('free', 0, 'pro', 1, 'enterprise', 2)[tier] FROM users WHERE user_id < 30",
    { duck: "SELECT user_id, CASE tier WHEN 'free' THEN 0 WHEN 'pro' THEN 1 WHEN 'enterprise' THEN 2 END FROM users WHERE user_id < 30" }],
]);
