// sql_duckdb_joins.test.mjs - the differential suite's joins, subqueries, set operations and
// CTEs over the four tables (sql_diff_lib.mjs has the data and the comparison).
//
// Spark vs DuckDB (opts.duck spells the DuckDB side):
// - LEFT SEMI / LEFT ANTI JOIN are DuckDB's SEMI / ANTI JOIN.
// - NOT IN over a subquery with a NULL is never true in both; a NULL key never matches.
// - Joins on the hot keys (users 1-3 own ~30% of the events) make large fan-outs: the
//   queries aggregate them.
import { suite } from './sql_diff_lib.mjs';

// Join order (compute/opt/opt_join.c): the same inner joins written in every order give one
// answer; comma joins whose predicates connect tables the FROM list keeps apart.
const perms = (xs) => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p])));
const joinOrder = [
  ...perms(['users u', 'orders o', 'labels l']).map((f) => [`3-way comma join: ${f.join(', ')}`,
    `SELECT count(*), sum(o.total), count(DISTINCT l.label), max(u.name) FROM ${f.join(', ')} WHERE u.user_id = o.user_id AND l.user_id = u.user_id AND o.items > 5`]),
  ...perms(['events e', 'users u', 'labels l', 'orders o']).filter((_, i) => i % 4 === 0).map((f) => [`4-way comma join: ${f.join(', ')}`,
    `SELECT u.tier, count(*), sum(e.qty), count(DISTINCT o.order_id), count(DISTINCT l.label) FROM ${f.join(', ')} WHERE e.user_id = u.user_id AND o.user_id = u.user_id AND l.user_id = o.user_id AND u.user_id BETWEEN 100 AND 160 AND e.event_type = 'purchase' GROUP BY u.tier`]),
  ...perms(['labels l', 'orders o', 'users u']).slice(0, 3).map((f) => [`5-way join with a derived table and a residual over three tables: ${f.join(', ')}`,
    `SELECT t.tier, count(*), sum(o.items) FROM ${f.join(', ')}, (SELECT DISTINCT tier FROM users WHERE tier IS NOT NULL) t, (SELECT DISTINCT status FROM orders) s WHERE u.user_id = o.user_id AND l.user_id = o.user_id AND t.tier = u.tier AND s.status = o.status AND o.total > CAST(u.age AS DECIMAL(18, 2)) * 10 + CAST(l.confidence AS DECIMAL(18, 2)) GROUP BY t.tier`]),
  ['a cross product where nothing connects', 'SELECT s.status, count(*), count(l.label) FROM (SELECT DISTINCT status FROM orders) s, users u, labels l WHERE u.user_id = l.user_id AND u.user_id < 40 GROUP BY s.status'],
  ['null-safe keys across three tables', 'SELECT count(*), count(o.user_id) FROM labels l, orders o, users u WHERE l.user_id <=> o.user_id AND o.user_id <=> u.user_id',
    { duck: 'SELECT count(*), count(o.user_id) FROM labels l, orders o, users u WHERE l.user_id IS NOT DISTINCT FROM o.user_id AND o.user_id IS NOT DISTINCT FROM u.user_id' }],
  ['explicit joins written big-first with a residual between the last two', "SELECT count(*), max(e.page) FROM events e JOIN orders o ON e.user_id = o.user_id AND e.event_date = o.order_date JOIN users u ON u.user_id = e.user_id JOIN labels l ON l.user_id = u.user_id AND l.label_date <= o.order_date WHERE u.country = 'DE'"],
  ['SELECT * of a reordered comma join keeps the column order', 'SELECT * FROM orders o, labels l, users u WHERE o.user_id = u.user_id AND l.user_id = o.user_id AND u.user_id BETWEEN 300 AND 320'],
  ['a self join of three copies', 'SELECT count(*), sum(a.items + b.items + c.items) FROM orders a, orders b, orders c WHERE a.order_id + 1 = b.order_id AND b.order_id + 1 = c.order_id AND a.user_id <> c.user_id'],
  ['an inner join over a LEFT JOIN input', 'SELECT count(*), count(l.label) FROM orders o, users u LEFT JOIN labels l ON l.user_id = u.user_id AND l.label = \'vip\' WHERE o.user_id = u.user_id AND o.items = 3'],
];

suite([
  ...joinOrder,
  // inner and outer joins
  ['inner join on the skewed key', 'SELECT u.tier, count(*), sum(e.qty), count(DISTINCT e.user_id) FROM events e JOIN users u ON e.user_id = u.user_id GROUP BY u.tier'],
  ['inner join, hot users', 'SELECT e.user_id, count(*), min(e.event_ts), max(u.name) FROM events e JOIN users u ON e.user_id = u.user_id WHERE e.user_id <= 4 GROUP BY e.user_id'],
  ['left join keeps unmatched rows', 'SELECT l.user_id, l.label, u.name FROM labels l LEFT JOIN users u ON l.user_id = u.user_id WHERE l.user_id >= 990 OR l.user_id IS NULL'],
  ['left join with a NULL key', 'SELECT count(*), count(u.user_id) FROM events e LEFT JOIN users u ON e.user_id = u.user_id'],
  ['right join', 'SELECT u.user_id, l.label FROM labels l RIGHT JOIN users u ON l.user_id = u.user_id WHERE u.user_id < 40'],
  ['full outer join', 'SELECT l.user_id, u.user_id, l.label FROM labels l FULL OUTER JOIN users u ON l.user_id = u.user_id WHERE coalesce(l.user_id, u.user_id, -1) >= 980 OR coalesce(l.user_id, u.user_id) IS NULL'],
  ['full outer join counts', 'SELECT count(*), count(o.user_id), count(u.user_id) FROM orders o FULL JOIN users u ON o.user_id = u.user_id'],
  ['cross join of small sides', 'SELECT a.tier, b.status FROM (SELECT DISTINCT tier FROM users) a CROSS JOIN (SELECT DISTINCT status FROM orders) b'],
  ['comma join with WHERE', 'SELECT u.country, count(*) FROM users u, orders o WHERE u.user_id = o.user_id AND o.items > 6 GROUP BY u.country'],
  ['join on two keys', 'SELECT count(*) FROM events e JOIN orders o ON e.user_id = o.user_id AND e.event_date = o.order_date'],
  ['join with a residual inequality', 'SELECT o.order_id, l.label FROM orders o JOIN labels l ON o.user_id = l.user_id AND o.order_date >= l.label_date WHERE o.order_id < 400'],
  ['non-equi join', 'SELECT a.user_id, count(*) FROM users a JOIN users b ON a.age < b.age AND b.user_id < 20 WHERE a.user_id < 20 GROUP BY a.user_id'],
  ['join on an expression', 'SELECT count(*), sum(o.items) FROM orders o JOIN users u ON o.user_id = u.user_id + 1000 - 1000 AND upper(u.tier) = \'PRO\''],
  ['self join', 'SELECT a.order_id, b.order_id FROM orders a JOIN orders b ON a.user_id = b.user_id AND a.order_id < b.order_id WHERE a.user_id BETWEEN 20 AND 25'],
  ['three-way join', 'SELECT u.tier, l.label, count(*), sum(o.total) FROM users u JOIN labels l ON u.user_id = l.user_id JOIN orders o ON o.user_id = u.user_id GROUP BY 1, 2'],
  ['four tables', "SELECT u.country, count(DISTINCT e.event_id), count(DISTINCT o.order_id), count(DISTINCT l.label) FROM users u LEFT JOIN events e ON e.user_id = u.user_id AND e.event_type = 'purchase' LEFT JOIN orders o ON o.user_id = u.user_id LEFT JOIN labels l ON l.user_id = u.user_id WHERE u.user_id BETWEEN 100 AND 300 GROUP BY 1"],
  ['left join then filter on the right', "SELECT u.user_id FROM users u LEFT JOIN labels l ON u.user_id = l.user_id WHERE l.label = 'vip' AND u.user_id < 300"],
  ['left join with the filter in ON', "SELECT u.user_id, l.label FROM users u LEFT JOIN labels l ON u.user_id = l.user_id AND l.label = 'vip' WHERE u.user_id < 100"],
  ['join on strings with unicode', 'SELECT a.page, count(*) FROM (SELECT DISTINCT page FROM events WHERE event_id < 3000) a JOIN events b ON a.page = b.page GROUP BY a.page'],
  ['join on dates', 'SELECT o.order_date, count(*) FROM orders o JOIN labels l ON o.order_date = l.label_date GROUP BY o.order_date'],
  ['join on decimals and doubles', 'SELECT count(*) FROM orders a JOIN orders b ON a.total = b.total AND a.discount = b.discount'],
  ['USING', 'SELECT user_id, name, label FROM users JOIN labels USING (user_id) WHERE user_id < 60'],
  ['LEFT JOIN USING', 'SELECT user_id, tier, count(order_id) FROM users LEFT JOIN orders USING (user_id) GROUP BY user_id, tier'],
  ['FULL JOIN USING coalesces the key', 'SELECT user_id, count(*) FROM labels FULL JOIN users USING (user_id) GROUP BY user_id HAVING user_id IS NULL OR user_id > 995'],
  ['NATURAL JOIN', 'SELECT * FROM (SELECT user_id, label FROM labels WHERE user_id < 30) NATURAL JOIN (SELECT user_id, tier FROM users)'],
  ['NATURAL LEFT JOIN', 'SELECT user_id, label, country FROM (SELECT user_id, label FROM labels WHERE user_id > 1000) NATURAL LEFT JOIN (SELECT user_id, country FROM users)'],
  ['LEFT SEMI JOIN', 'SELECT u.user_id, u.tier FROM users u LEFT SEMI JOIN orders o ON u.user_id = o.user_id AND o.items = 8',
    { duck: 'SELECT u.user_id, u.tier FROM users u SEMI JOIN orders o ON u.user_id = o.user_id AND o.items = 8' }],
  ['LEFT ANTI JOIN', 'SELECT u.user_id FROM users u LEFT ANTI JOIN events e ON u.user_id = e.user_id',
    { duck: 'SELECT u.user_id FROM users u ANTI JOIN events e ON u.user_id = e.user_id' }],
  ['join of aggregates', 'SELECT a.user_id, a.n, b.m FROM (SELECT user_id, count(*) AS n FROM events GROUP BY user_id) a JOIN (SELECT user_id, count(*) AS m FROM orders GROUP BY user_id) b ON a.user_id = b.user_id WHERE a.n > 40'],
  ['join with duplicates on both sides', 'SELECT l.label, count(*) FROM labels l JOIN labels m ON l.user_id = m.user_id GROUP BY l.label'],
  // subqueries: EXISTS, IN, scalar, correlated
  ['EXISTS', "SELECT count(*) FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.user_id AND o.status = 'returned')"],
  ['NOT EXISTS', "SELECT u.user_id FROM users u WHERE NOT EXISTS (SELECT 1 FROM labels l WHERE l.user_id = u.user_id) AND u.user_id < 200"],
  ['EXISTS with a non-equality', 'SELECT u.user_id FROM users u WHERE u.user_id < 50 AND EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.user_id AND o.total > CAST(u.age AS BIGINT) * 100)'],
  ['IN subquery', "SELECT count(*) FROM events WHERE user_id IN (SELECT user_id FROM labels WHERE label = 'vip')"],
  ['NOT IN subquery without NULLs', "SELECT count(*) FROM users WHERE user_id NOT IN (SELECT user_id FROM labels WHERE user_id IS NOT NULL)"],
  ['NOT IN subquery with a NULL is empty', 'SELECT count(*) FROM users WHERE user_id NOT IN (SELECT user_id FROM labels)'],
  ['IN subquery on two columns', 'SELECT count(*) FROM orders WHERE (user_id, order_date) IN (SELECT user_id, event_date FROM events)',
    { duck: 'SELECT count(*) FROM orders o WHERE EXISTS (SELECT 1 FROM events e WHERE e.user_id = o.user_id AND e.event_date = o.order_date)' }],
  ['correlated IN', 'SELECT user_id FROM users u WHERE u.user_id < 300 AND u.age IN (SELECT items * 10 FROM orders o WHERE o.user_id = u.user_id)'],
  // Spark's existence join: an unknown NOT IN outside WHERE conjuncts is false (DuckDB: NULL)
  ['correlated NOT IN', 'SELECT user_id, user_id NOT IN (SELECT user_id FROM labels l WHERE l.confidence > u.score / 200) AS n FROM users u WHERE user_id < 80',
    { duck: 'SELECT user_id, coalesce(user_id NOT IN (SELECT user_id FROM labels l WHERE l.confidence > u.score / 200), false) AS n FROM users u WHERE user_id < 80' }],
  ['scalar subquery', 'SELECT order_id, total - (SELECT avg(total) FROM orders) FROM orders WHERE order_id < 60'],
  ['correlated scalar subquery', 'SELECT u.user_id, (SELECT max(o.total) FROM orders o WHERE o.user_id = u.user_id) AS top FROM users u WHERE u.user_id < 120'],
  ['correlated count of an empty group', "SELECT u.user_id, (SELECT count(*) FROM labels l WHERE l.user_id = u.user_id AND l.label = 'vip') AS c FROM users u WHERE u.user_id < 100"],
  ['correlated scalar in WHERE', 'SELECT u.user_id FROM users u WHERE (SELECT count(*) FROM orders o WHERE o.user_id = u.user_id) >= 8'],
  ['correlated subquery in HAVING', 'SELECT status, count(*) FROM orders o GROUP BY status HAVING count(*) > (SELECT count(*) FROM labels l WHERE length(l.label) = length(o.status))'],
  ['EXISTS in the select list', "SELECT u.user_id, EXISTS (SELECT 1 FROM events e WHERE e.user_id = u.user_id AND e.event_type = 'refund') FROM users u WHERE u.user_id < 70"],
  ['subquery in FROM with aggregates', 'SELECT tier, avg(n) FROM (SELECT u.tier, u.user_id, count(o.order_id) AS n FROM users u LEFT JOIN orders o ON o.user_id = u.user_id GROUP BY 1, 2) GROUP BY tier'],
  ['IN list of a derived table', "SELECT count(*) FROM events WHERE event_type IN (SELECT DISTINCT event_type FROM events WHERE revenue < 0)"],
  ['comparison with a scalar aggregate subquery', 'SELECT count(*) FROM orders WHERE total > (SELECT max(total) FROM orders WHERE status = \'placed\')'],
  // filters moved by the optimizer (compute/opt/opt_filter.c): through projections, joins of
  // every kind, aggregates and sorts, and comma-join equalities turned into join keys
  ['comma join of three tables, keys from WHERE', "SELECT u.tier, count(*), sum(o.total) FROM users u, orders o, labels l WHERE u.user_id = o.user_id AND l.user_id = u.user_id AND l.label <> 'vip' AND o.items > 2 GROUP BY u.tier"],
  ['comma join with a key on both sides of an expression', 'SELECT count(*) FROM orders a, orders b WHERE a.order_id + 1 = b.order_id AND a.user_id = b.user_id'],
  ['null-safe equality from WHERE', 'SELECT count(*) FROM labels a, labels b WHERE a.user_id <=> b.user_id AND a.label = b.label',
    { duck: 'SELECT count(*) FROM labels a, labels b WHERE a.user_id IS NOT DISTINCT FROM b.user_id AND a.label = b.label' }],
  ['filter over a left join on both sides', "SELECT u.user_id, l.label FROM users u LEFT JOIN labels l ON u.user_id = l.user_id WHERE u.user_id < 200 AND (l.label IS NULL OR l.label = 'vip')"],
  ['filter over a right join on the left side', 'SELECT l.user_id, u.user_id FROM labels l RIGHT JOIN users u ON l.user_id = u.user_id WHERE l.user_id IS NULL AND u.user_id < 300'],
  ['filter over a full join', 'SELECT count(*) FROM orders o FULL JOIN users u ON o.user_id = u.user_id WHERE o.items > 3 OR u.age < 30'],
  ['filter through a derived table with expressions', 'SELECT * FROM (SELECT user_id, CAST(age AS BIGINT) * 2 AS a2, upper(tier) AS t FROM users) d WHERE a2 > 100 AND t = \'PRO\' AND user_id < 500'],
  ['filter through a join of derived tables', 'SELECT x.user_id, x.n, y.m FROM (SELECT user_id, count(*) AS n FROM orders GROUP BY user_id) x, (SELECT user_id, max(total) AS m FROM orders GROUP BY user_id) y WHERE x.user_id = y.user_id AND x.user_id < 100 AND y.m > 10'],
  ['HAVING on a grouping key and on an aggregate', 'SELECT user_id, count(*) FROM orders GROUP BY user_id HAVING user_id BETWEEN 10 AND 40 AND count(*) > 2'],
  ['HAVING on a key with ROLLUP stays above', 'SELECT status, items, count(*) FROM orders GROUP BY ROLLUP (status, items) HAVING items IS NULL'],
  ['filter over a window stays above', 'SELECT * FROM (SELECT user_id, total, row_number() OVER (PARTITION BY user_id ORDER BY total DESC, order_id) AS rn FROM orders) WHERE rn = 1 AND user_id < 100'],
  ['filter over a union', 'SELECT * FROM (SELECT user_id FROM labels UNION ALL SELECT user_id FROM orders) WHERE user_id = 7'],
  ['filter over a semi join', 'SELECT count(*) FROM users u WHERE u.user_id IN (SELECT user_id FROM orders) AND u.age > 40'],
  ['filter over an ordered subquery', 'SELECT count(*) FROM (SELECT * FROM orders ORDER BY total) WHERE items = 5'],
  // set operations
  ['UNION', 'SELECT user_id FROM labels WHERE label = \'vip\' UNION SELECT user_id FROM orders WHERE items = 8'],
  ['UNION ALL', 'SELECT user_id, \'label\' AS src FROM labels WHERE user_id < 100 UNION ALL SELECT user_id, \'order\' FROM orders WHERE user_id < 100'],
  ['INTERSECT', 'SELECT user_id FROM labels INTERSECT SELECT user_id FROM orders'],
  ['INTERSECT ALL', 'SELECT user_id FROM labels WHERE user_id < 300 INTERSECT ALL SELECT user_id FROM orders WHERE user_id < 300'],
  ['EXCEPT', 'SELECT user_id FROM users EXCEPT SELECT user_id FROM events'],
  ['EXCEPT ALL', 'SELECT user_id FROM orders WHERE user_id < 200 EXCEPT ALL SELECT user_id FROM labels'],
  ['MINUS', 'SELECT country FROM users MINUS SELECT country FROM users WHERE tier = \'pro\'',
    { duck: 'SELECT country FROM users EXCEPT SELECT country FROM users WHERE tier = \'pro\'' }],
  ['set operations keep NULLs as one value', 'SELECT tier FROM users UNION SELECT status FROM orders'],
  ['set operation with widening', 'SELECT qty FROM events WHERE event_id >= 100000 UNION SELECT big FROM users WHERE user_id < 5'],
  ['set operations chained', 'SELECT user_id FROM users WHERE user_id < 50 EXCEPT SELECT user_id FROM labels UNION SELECT user_id FROM orders WHERE user_id < 10 INTERSECT SELECT user_id FROM events'],
  ['UNION ALL then aggregate', 'SELECT src, count(*), count(DISTINCT user_id) FROM (SELECT \'e\' AS src, user_id FROM events UNION ALL SELECT \'o\', user_id FROM orders UNION ALL SELECT \'l\', user_id FROM labels) GROUP BY src'],
  ['ORDER BY over a UNION', 'SELECT user_id FROM labels WHERE user_id < 30 UNION SELECT user_id FROM orders WHERE user_id < 30 ORDER BY 1 DESC LIMIT 10', { ordered: true }],
  // CTEs
  ['CTE', 'WITH big_orders AS (SELECT * FROM orders WHERE total > 5000) SELECT status, count(*) FROM big_orders GROUP BY status'],
  ['two CTEs joined', 'WITH a AS (SELECT user_id, count(*) AS n FROM events GROUP BY user_id), b AS (SELECT user_id, sum(total) AS t FROM orders GROUP BY user_id) SELECT a.user_id, a.n, b.t FROM a JOIN b USING (user_id) WHERE a.n > 25'],
  ['CTE referenced twice', 'WITH c AS (SELECT country, count(*) AS n FROM users GROUP BY country) SELECT x.country, x.n, y.n FROM c x JOIN c y ON x.n = y.n AND x.country < y.country'],
  ['CTE chain', 'WITH a AS (SELECT user_id, total FROM orders WHERE total IS NOT NULL), b AS (SELECT user_id, max(total) AS m FROM a GROUP BY user_id), c AS (SELECT m, count(*) AS k FROM b GROUP BY m) SELECT count(*), sum(k), max(m) FROM c'],
  ['CTE in a subquery', "SELECT count(*) FROM users WHERE user_id IN (WITH v AS (SELECT user_id FROM labels WHERE label = 'vip') SELECT user_id FROM v)"],
  ['CTE shadowing a table', 'WITH users AS (SELECT 1 AS user_id) SELECT count(*) FROM events e JOIN users u ON e.user_id = u.user_id'],
  ['derived tables with aliases', 'SELECT t.k, t.c FROM (SELECT user_id % 10 AS k, count(*) AS c FROM orders GROUP BY 1) AS t WHERE t.c > 500'],
  ['VALUES joined to a table', "SELECT v.code, count(o.order_id) FROM VALUES ('placed'), ('shipped'), ('lost') AS v(code) LEFT JOIN orders o ON o.status = v.code GROUP BY v.code",
    { duck: "SELECT v.code, count(o.order_id) FROM (VALUES ('placed'), ('shipped'), ('lost')) AS v(code) LEFT JOIN orders o ON o.status = v.code GROUP BY v.code" }],
]);
