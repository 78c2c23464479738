SELECT
  "t1"."partner",
  SUM("t1"."value_usd") AS "value_usd"
FROM (
  SELECT
    *
  FROM "rollup_by_route" AS "t0"
  WHERE
    "t0"."jalali_year" >= 1402
    AND "t0"."jalali_year" <= 1402
    AND "t0"."source" = 'customs'
    AND "t0"."flow" IN ('export')
) AS "t1"
GROUP BY
  1
