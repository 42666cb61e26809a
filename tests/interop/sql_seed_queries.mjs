// sql_seed_queries.mjs - the three seed queries as a Databricks analyst writes them, each with
// its DuckDB spelling: [spark, duckdb]. Shared by tests/interop/sql_duckdb_seed.test.mjs (over
// the differential data set) and tests/bench/sql_bench.mjs (over 10M events).
//
// 1. daily user features: per user per day, event counts by type (count_if), revenue sums,
//    distinct counts and the last event time;
// 2. rolling 7/30-day windows over those features: RANGE frames with day intervals, the last
//    purchase day with last(x, true) and the days since it with datediff;
// 3. the churn dashboard: users LEFT JOIN labels and order totals USING (user_id),
//    GROUP BY 1, 2 ORDER BY 1 DESC, 4 DESC.
// Tables: events(user_id, event_type, event_ts, event_date, revenue, page),
// users(user_id, signup_date), labels(user_id, label), orders(user_id, status, total).

export const DAILY = `SELECT user_id, event_date,
  count(*) AS events,
  count_if(event_type = 'view') AS views,
  count_if(event_type = 'click') AS clicks,
  count_if(event_type = 'purchase') AS purchases,
  sum(CASE WHEN event_type = 'purchase' THEN revenue END) AS purchase_revenue,
  sum(revenue) AS net_revenue,
  count(DISTINCT event_type) AS event_types,
  count(DISTINCT page) AS pages,
  max(event_ts) AS last_event_ts
FROM events
WHERE user_id IS NOT NULL AND event_date IS NOT NULL
GROUP BY user_id, event_date`;

const rolling = (last, diff) => `WITH daily AS (
  SELECT user_id, event_date,
    count_if(event_type = 'purchase') AS purchases,
    sum(revenue) AS revenue,
    max(CASE WHEN event_type = 'purchase' THEN event_date END) AS purchase_day
  FROM events
  WHERE user_id IS NOT NULL AND event_date IS NOT NULL
  GROUP BY user_id, event_date
)
SELECT user_id, event_date,
  sum(purchases) OVER (PARTITION BY user_id ORDER BY event_date RANGE BETWEEN INTERVAL 6 DAYS PRECEDING AND CURRENT ROW) AS purchases_7d,
  sum(revenue) OVER (PARTITION BY user_id ORDER BY event_date RANGE BETWEEN INTERVAL 6 DAYS PRECEDING AND CURRENT ROW) AS revenue_7d,
  sum(purchases) OVER (PARTITION BY user_id ORDER BY event_date RANGE BETWEEN INTERVAL 29 DAYS PRECEDING AND CURRENT ROW) AS purchases_30d,
  count(*) OVER (PARTITION BY user_id ORDER BY event_date RANGE BETWEEN INTERVAL 29 DAYS PRECEDING AND CURRENT ROW) AS active_days_30d,
  ${last('purchase_day')} OVER (PARTITION BY user_id ORDER BY event_date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS last_purchase_day,
  ${diff('event_date', `${last('purchase_day')} OVER (PARTITION BY user_id ORDER BY event_date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`)} AS days_since_purchase
FROM daily`;
const sparkLast = (x) => `last(${x}, true)`;
const sparkDiff = (a, b) => `datediff(${a}, ${b})`;
const duckLast = (x) => `last_value(${x} IGNORE NULLS)`;
const duckDiff = (a, b) => `date_diff('day', ${b}, ${a})`;

const churn = (month) => `SELECT ${month} AS signup_month,
  coalesce(l.label, 'unlabeled') AS status,
  count(DISTINCT user_id) AS users,
  sum(o.order_total) AS revenue,
  avg(o.order_count) AS avg_orders
FROM users u
LEFT JOIN labels l USING (user_id)
LEFT JOIN (
  SELECT user_id, count(*) AS order_count, sum(total) AS order_total
  FROM orders
  WHERE status <> 'cancelled'
  GROUP BY user_id
) o USING (user_id)
GROUP BY 1, 2
ORDER BY 1 DESC, 4 DESC`;

const duckCountIf = (sql) => sql.replace(/count_if\(([^)]*)\)/g, 'count(CASE WHEN $1 THEN 1 END)');

export const SEED_QUERIES = {
  daily: [DAILY, duckCountIf(DAILY)],
  rolling: [rolling(sparkLast, sparkDiff), duckCountIf(rolling(duckLast, duckDiff))],
  churn: [churn("date_trunc('MONTH', u.signup_date)"), churn("CAST(date_trunc('month', u.signup_date) AS TIMESTAMP)")],
};

