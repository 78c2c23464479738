"""The columns of a validation report. Reports are written by the site's one exporter
(payesh.core.exporters, through payesh.ledger.selectors.issues_report), which neutralises formulas."""

REPORT_COLUMNS = ("row", "column", "value", "rule", "severity", "message_en", "message_fa")
