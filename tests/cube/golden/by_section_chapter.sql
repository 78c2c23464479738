SELECT
  "t16"."_section" AS "section",
  SUBSTRING(
    "t16"."hs_code",
    CASE WHEN (
      0 + 1
    ) >= 1 THEN 0 + 1 ELSE 0 + 1 + LENGTH("t16"."hs_code") END,
    2
  ) AS "chapter",
  SUM("t16"."value_usd" * "t16"."_w") AS "value_usd"
FROM (
  SELECT
    "t15".*
    EXCLUDE ("_section_k")
  FROM (
    SELECT
      "t14"."source",
      "t14"."jalali_year",
      "t14"."jalali_month",
      "t14"."flow",
      "t14"."hs_revision",
      "t14"."hs_code",
      "t14"."customs_office",
      "t14"."value_usd",
      "t14"."net_weight_kg",
      "t14"."_rows",
      "t14"."_w",
      "t14"."_chapter_key",
      "t4"."_section_k",
      "t4"."_section"
    FROM (
      SELECT
        "t12"."source",
        "t12"."jalali_year",
        "t12"."jalali_month",
        "t12"."flow",
        "t12"."hs_revision",
        "t12"."hs_code",
        "t12"."customs_office",
        "t12"."value_usd",
        "t12"."net_weight_kg",
        "t12"."_rows",
        "t12"."_w",
        SUBSTRING(
          "t12"."hs_code",
          CASE WHEN (
            0 + 1
          ) >= 1 THEN 0 + 1 ELSE 0 + 1 + LENGTH("t12"."hs_code") END,
          2
        ) AS "_chapter_key"
      FROM (
        SELECT
          *
        FROM (
          SELECT
            "t1"."source",
            "t1"."jalali_year",
            "t1"."jalali_month",
            "t1"."flow",
            "t1"."hs_revision",
            "t1"."hs_code",
            "t1"."customs_office",
            "t1"."value_usd",
            "t1"."net_weight_kg",
            "t1"."_rows",
            1.0 AS "_w"
          FROM "rollup_by_product_office" AS "t1"
          WHERE
            "t1"."jalali_year" >= 1402
            AND "t1"."jalali_year" <= 1402
            AND "t1"."hs_revision" = 'HS12'
        ) AS "t5"
        UNION ALL
        SELECT
          *
        FROM (
          SELECT
            "t10"."source",
            "t10"."jalali_year",
            "t10"."jalali_month",
            "t10"."flow",
            "t10"."hs_revision",
            "t10"."_to_code" AS "hs_code",
            "t10"."customs_office",
            "t10"."value_usd",
            "t10"."net_weight_kg",
            "t10"."_rows",
            "t10"."_weight" AS "_w"
          FROM (
            SELECT
              "t8"."source",
              "t8"."jalali_year",
              "t8"."jalali_month",
              "t8"."flow",
              "t8"."hs_revision",
              "t8"."hs_code",
              "t8"."customs_office",
              "t8"."value_usd",
              "t8"."net_weight_kg",
              "t8"."_rows",
              "t9"."_from_rev",
              "t9"."_from_code",
              "t9"."_to_code",
              "t9"."_weight"
            FROM (
              SELECT
                *
              FROM "rollup_by_product_office" AS "t1"
              WHERE
                "t1"."jalali_year" >= 1402
                AND "t1"."jalali_year" <= 1402
                AND "t1"."hs_revision" <> 'HS12'
            ) AS "t8"
            INNER JOIN (
              SELECT
                "t2"."from_revision" AS "_from_rev",
                "t2"."from_code" AS "_from_code",
                "t2"."to_code" AS "_to_code",
                "t2"."weight" AS "_weight"
              FROM "concordance" AS "t2"
              WHERE
                "t2"."to_revision" = 'HS12'
            ) AS "t9"
              ON "t8"."hs_revision" = "t9"."_from_rev" AND "t8"."hs_code" = "t9"."_from_code"
          ) AS "t10"
        ) AS "t11"
      ) AS "t12"
      WHERE
        "t12"."source" = 'customs' AND "t12"."flow" IN ('export')
    ) AS "t14"
    LEFT OUTER JOIN (
      SELECT
        "t0"."chapter" AS "_section_k",
        "t0"."section" AS "_section"
      FROM "dim_chapter" AS "t0"
    ) AS "t4"
      ON "t14"."_chapter_key" = "t4"."_section_k"
  ) AS "t15"
) AS "t16"
GROUP BY
  1,
  2
