"""Validation issues and the registry of rules that produce them (stable ids, both languages)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    message_en: str
    message_fa: str


@dataclass(frozen=True)
class Issue:
    """One finding. ``row`` is the row number as the user sees it (header = row 1), or None."""

    row: int | None
    column: str | None
    value: str | None
    rule: str
    message_en: str
    message_fa: str
    severity: Severity

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


_RULES: dict[str, Rule] = {}


def rule(id: str, severity: Severity, message_en: str, message_fa: str) -> Rule:
    if id in _RULES:
        raise ValueError(f"rule {id} defined twice")
    _RULES[id] = Rule(id, severity, message_en, message_fa)
    return _RULES[id]


def rules() -> dict[str, Rule]:
    return dict(_RULES)


def make_issue(rule_id: str, *, row: int | None = None, column: str | None = None,
               value: object = None, **details: object) -> Issue:
    """Build an issue; message templates may use {column}, {value} and any ``details``."""
    spec = _RULES[rule_id]
    text_value = None if value is None else str(value)
    fields = {"column": column or "", "value": text_value if text_value is not None else "", **details}
    return Issue(row=row, column=column, value=text_value, rule=rule_id,
                 message_en=spec.message_en.format(**fields),
                 message_fa=spec.message_fa.format(**fields), severity=spec.severity)


# File-level rules -------------------------------------------------------------------------------
rule("file_empty", "error", "The file is empty: it has no header or no data rows.",
     "فایل خالی است: سطر عنوان یا سطر داده ندارد.")
rule("format_unknown", "error",
     "Cannot tell the file's layout. Known layouts: {known}. Choose the layout explicitly.",
     "قالب فایل شناخته نشد. قالب‌های شناخته‌شده: {known}. قالب را صریحاً انتخاب کنید.")
rule("encoding_unknown", "error",
     "Cannot read the file's text encoding; save it as UTF-8 or Windows-1256.",
     "رمزگذاری متن فایل خوانده نشد؛ آن را با UTF-8 یا Windows-1256 ذخیره کنید.")
rule("column_missing", "error", "Required column '{column}' is missing.",
     "ستون الزامی «{column}» وجود ندارد.")
rule("column_misspelled", "error",
     "Column '{value}' is not known; did you mean '{column}'? Rename the header.",
     "ستون «{value}» شناخته نشد؛ آیا منظور «{column}» است؟ عنوان ستون را اصلاح کنید.")
rule("column_unknown", "warning", "Column '{value}' is not part of the layout and was ignored.",
     "ستون «{value}» جزو قالب نیست و نادیده گرفته شد.")
rule("column_duplicated", "error", "Column '{column}' appears more than once in the header.",
     "ستون «{column}» بیش از یک بار در سطر عنوان آمده است.")
rule("header_merged", "error",
     "Header cells {value} are merged; unmerge them so that each column has its own header.",
     "سلول‌های عنوان {value} ادغام شده‌اند؛ ادغام را بردارید تا هر ستون عنوان خود را داشته باشد.")
rule("hs_revision_missing", "error",
     "The file has no hs_revision column; choose the HS revision of the file when loading.",
     "فایل ستون ویرایش نظام هماهنگ ندارد؛ هنگام بارگذاری ویرایش را انتخاب کنید.")
rule("file_duplicate", "error",
     "This exact file was already loaded as batch {batch} ({status}); nothing was changed.",
     "همین فایل قبلاً با شناسه {batch} ({status}) بارگذاری شده است؛ تغییری اعمال نشد.")
rule("file_unreadable", "error", "The file cannot be read: {detail}",
     "فایل خوانده نمی‌شود: {detail}")

# Row-level rules --------------------------------------------------------------------------------
rule("row_truncated", "error",
     "The row has too few fields ({detail}); the file may be cut off in the middle of a row.",
     "این سطر فیلد کم دارد ({detail})؛ ممکن است فایل در میانه سطر بریده شده باشد.")
rule("row_malformed", "error", "The row cannot be parsed: {detail}",
     "این سطر قابل خواندن نیست: {detail}")
rule("value_required", "error", "'{column}' is empty but required.",
     "«{column}» خالی است ولی الزامی است.")
rule("number_invalid", "error", "'{value}' in '{column}' is not a number.",
     "مقدار «{value}» در «{column}» عدد نیست.")
rule("date_invalid", "error",
     "'{value}' is not a date (use 2023-10-07 or the Solar Hijri 1402/07/15).",
     "«{value}» تاریخ معتبر نیست (مانند 2023-10-07 یا ۱۴۰۲/۰۷/۱۵).")
rule("date_out_of_range", "error", "Date {value} is outside {first} … {last}.",
     "تاریخ {value} خارج از بازه {first} تا {last} است.")
rule("flow_invalid", "error", "Flow '{value}' is not one of {allowed}.",
     "جریان «{value}» جزو مقادیر مجاز ({allowed}) نیست.")
rule("channel_invalid", "error", "Channel '{value}' is not one of {allowed}.",
     "مجرای «{value}» جزو مقادیر مجاز ({allowed}) نیست.")
rule("transport_invalid", "error", "Transport mode '{value}' is not one of {allowed}.",
     "شیوه حمل «{value}» جزو مقادیر مجاز ({allowed}) نیست.")
rule("hs_revision_invalid", "error", "HS revision '{value}' is not one of {allowed}.",
     "ویرایش «{value}» جزو مقادیر مجاز ({allowed}) نیست.")
rule("hs_invalid", "error", "HS code '{value}' must have 2, 4, 6, 8 or 10 digits.",
     "کد تعرفه «{value}» باید ۲، ۴، ۶، ۸ یا ۱۰ رقمی باشد.")
rule("hs_unknown", "error", "HS code '{value}' does not exist in {revision}.",
     "کد تعرفه «{value}» در {revision} وجود ندارد.")
rule("partner_unknown", "error", "Partner country '{value}' is not a known country code or name.",
     "کشور طرف معامله «{value}» شناخته نشد.")
rule("reporter_unknown", "error", "Reporter country '{value}' is not a known country.",
     "کشور گزارش‌دهنده «{value}» شناخته نشد.")
rule("office_unknown", "error", "Customs office '{value}' is not in the reference list.",
     "گمرک «{value}» در فهرست مرجع نیست.")
rule("border_market_missing", "error", "Channel is border_market but no border market is given.",
     "مجرا بازارچه مرزی است ولی بازارچه مشخص نشده است.")
rule("border_market_unknown", "error", "Border market '{value}' is not in the reference list.",
     "بازارچه مرزی «{value}» در فهرست مرجع نیست.")
rule("province_unknown", "error", "Province '{value}' is not in the reference list.",
     "استان «{value}» در فهرست مرجع نیست.")
rule("county_unknown", "error", "County '{value}' is not in the reference list.",
     "شهرستان «{value}» در فهرست مرجع نیست.")
rule("value_negative", "error", "'{column}' is negative ({value}).",
     "«{column}» منفی است ({value}).")
rule("duplicate_in_file", "error", "Natural key '{value}' already appears on row {first_row}.",
     "کلید «{value}» پیش‌تر در سطر {first_row} آمده است.")
rule("duplicate_key", "error",
     "Natural key '{value}' is already loaded by active batch {batch}; withdraw that batch to "
     "load a correction.",
     "کلید «{value}» در دسته فعال {batch} بارگذاری شده است؛ برای اصلاح، آن دسته را پس بگیرید.")
rule("unit_value_outlier", "warning",
     "Unit value {value} USD/kg is far outside this product's range in the file ({low} … {high}).",
     "ارزش واحد {value} دلار بر کیلوگرم با بازه این کالا در فایل ({low} تا {high}) فاصله زیادی دارد.")
