SELECT
  "t11"."chapter",
  "t11"."value_usd",
  "t11"."weight_t",
  "t11"."declarations",
  CASE
    WHEN "t11"."weight_t" <> 0
    THEN "t11"."value_usd" / "t11"."weight_t"
    ELSE NULL
  END AS "unit_value"
FROM (
  SELECT
    SUBSTRING(
      "t10"."hs_code",
      CASE WHEN (
        0 + 1
      ) >= 1 THEN 0 + 1 ELSE 0 + 1 + LENGTH("t10"."hs_code") END,
      2
    ) AS "chapter",
    SUM("t10"."value_usd" * "t10"."_w") AS "value_usd",
    SUM("t10"."net_weight_kg" * "t10"."_w") / 1000.0 AS "weight_t",
    COUNT(DISTINCT "t10"."declaration_id") AS "declarations"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t0"."flow",
          "t0"."declaration_date",
          "t0"."jalali_year",
          "t0"."jalali_month",
          "t0"."declaration_id",
          "t0"."line_no",
          "t0"."source",
          "t0"."source_key",
          "t0"."customs_office",
          "t0"."channel",
          "t0"."border_market",
          "t0"."reporter",
          "t0"."partner",
          "t0"."origin_province",
          "t0"."origin_county",
          "t0"."hs_code",
          "t0"."national_code",
          "t0"."hs_revision",
          "t0"."quantity",
          "t0"."unit",
          "t0"."net_weight_kg",
          "t0"."value_usd",
          "t0"."value_rial",
          "t0"."rial_per_usd",
          "t0"."transport_mode",
          "t0"."batch_id",
          1.0 AS "_w"
        FROM "facts" AS "t0"
        WHERE
          "t0"."jalali_year" >= 1402
          AND "t0"."jalali_year" <= 1402
          AND "t0"."hs_revision" = 'HS12'
      ) AS "t2"
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          "t7"."flow",
          "t7"."declaration_date",
          "t7"."jalali_year",
          "t7"."jalali_month",
          "t7"."declaration_id",
          "t7"."line_no",
          "t7"."source",
          "t7"."source_key",
          "t7"."customs_office",
          "t7"."channel",
          "t7"."border_market",
          "t7"."reporter",
          "t7"."partner",
          "t7"."origin_province",
          "t7"."origin_county",
          "t7"."_to_code" AS "hs_code",
          "t7"."national_code",
          "t7"."hs_revision",
          "t7"."quantity",
          "t7"."unit",
          "t7"."net_weight_kg",
          "t7"."value_usd",
          "t7"."value_rial",
          "t7"."rial_per_usd",
          "t7"."transport_mode",
          "t7"."batch_id",
          "t7"."_weight" AS "_w"
        FROM (
          SELECT
            "t5"."flow",
            "t5"."declaration_date",
            "t5"."jalali_year",
            "t5"."jalali_month",
            "t5"."declaration_id",
            "t5"."line_no",
            "t5"."source",
            "t5"."source_key",
            "t5"."customs_office",
            "t5"."channel",
            "t5"."border_market",
            "t5"."reporter",
            "t5"."partner",
            "t5"."origin_province",
            "t5"."origin_county",
            "t5"."hs_code",
            "t5"."national_code",
            "t5"."hs_revision",
            "t5"."quantity",
            "t5"."unit",
            "t5"."net_weight_kg",
            "t5"."value_usd",
            "t5"."value_rial",
            "t5"."rial_per_usd",
            "t5"."transport_mode",
            "t5"."batch_id",
            "t6"."_from_rev",
            "t6"."_from_code",
            "t6"."_to_code",
            "t6"."_weight"
          FROM (
            SELECT
              *
            FROM "facts" AS "t0"
            WHERE
              "t0"."jalali_year" >= 1402
              AND "t0"."jalali_year" <= 1402
              AND "t0"."hs_revision" <> 'HS12'
          ) AS "t5"
          INNER JOIN (
            SELECT
              "t1"."from_revision" AS "_from_rev",
              "t1"."from_code" AS "_from_code",
              "t1"."to_code" AS "_to_code",
              "t1"."weight" AS "_weight"
            FROM "concordance" AS "t1"
            WHERE
              "t1"."to_revision" = 'HS12'
          ) AS "t6"
            ON "t5"."hs_revision" = "t6"."_from_rev" AND "t5"."hs_code" = "t6"."_from_code"
        ) AS "t7"
      ) AS "t8"
    ) AS "t9"
    WHERE
      "t9"."source" = 'customs' AND "t9"."flow" IN ('export')
  ) AS "t10"
  GROUP BY
    1
) AS "t11"
