"""Validation issues and the registry of rules that produce them (stable ids, both languages)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

#: ``info`` states what was found (the number convention of a file); it never blocks a load.
Severity = Literal["error", "warning", "info"]


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


#: Characters of a value kept in an issue: a 200 MB cell must not become a 200 MB message.
MAX_SHOWN_VALUE = 200


def shown_value(text: str) -> str:
    """The value as an issue shows it: control characters made visible, long text cut."""
    visible = text.translate(_VISIBLE_CONTROLS)
    if len(visible) > MAX_SHOWN_VALUE:
        return f"{visible[:MAX_SHOWN_VALUE]}… ({len(text):,} characters)"
    return visible


# NUL and other C0 controls as their Unicode "control picture" (U+2400…): visible, and safe in SQL,
# XML (XLSX reports) and HTML.
_VISIBLE_CONTROLS = {code: 0x2400 + code for code in range(0x20)} | {0x7F: 0x2421}


def make_issue(rule_id: str, *, row: int | None = None, column: str | None = None,
               value: object = None, **details: object) -> Issue:
    """Build an issue; message templates may use {column}, {value} and any ``details``."""
    spec = _RULES[rule_id]
    text_value = None if value is None else shown_value(str(value))
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

# Values: non-finite, out of bounds, number conventions --------------------------------------------
rule("number_not_finite", "error",
     "'{value}' in '{column}' is not a finite number (NaN and infinity are refused).",
     "مقدار «{value}» در «{column}» عدد متناهی نیست (NaN و بی‌نهایت پذیرفته نمی‌شوند).")
rule("number_out_of_range", "error",
     "'{value}' in '{column}' is beyond the plausible bound {d1}; if the value is right, raise {d2}.",
     "مقدار «{value}» در «{column}» از حد پذیرفتنی {d1} بیشتر است؛ اگر درست است، {d2} را افزایش دهید.")
rule("number_ambiguous", "error",
     "'{value}' in '{column}' is ambiguous: it reads as {d1}, and no value in the file shows whether ',' "
     "or '.' is its decimal mark. Write numbers without a thousands separator (1500 or 1.5).",
     "مقدار «{value}» در «{column}» دوپهلوست: می‌تواند {d1} باشد و هیچ مقداری در فایل نشان نمی‌دهد ممیز اعشار ',' "
     "است یا '.'. اعداد را بدون جداکننده هزارگان بنویسید (1500 یا 1.5).")
rule("number_convention_conflict", "error",
     "'{value}' in '{column}' does not follow the file's number convention (as in {d1}).",
     "مقدار «{value}» در «{column}» با قاعده نوشتن اعداد در این فایل (مانند {d1}) نمی‌خواند.")
rule("number_convention", "info",
     "Numbers in this file: decimal mark {decimal_en}; thousands separators: {thousands_en}; digits: {digits_en}.",
     "اعداد این فایل: ممیز اعشار {decimal_fa}؛ جداکننده هزارگان: {thousands_fa}؛ ارقام: {digits_fa}.")

# Text cells -------------------------------------------------------------------------------------
rule("text_control_removed", "warning",
     "Control characters (such as NUL) were removed from '{column}': '{value}'.",
     "نویسه‌های کنترلی (مانند NUL) از «{column}» حذف شد: «{value}».")
rule("text_control_key", "error",
     "'{column}' holds control characters (such as NUL): '{value}'. A key must be plain text.",
     "«{column}» نویسه کنترلی (مانند NUL) دارد: «{value}». کلید باید متن ساده باشد.")
rule("cell_too_long", "error",
     "The cell in '{column}' has more than {d1} characters ('{value}'); the limit is set by {d2}.",
     "سلول «{column}» بیش از {d1} نویسه دارد («{value}»)؛ این حد با {d2} تنظیم می‌شود.")

# Bounded inputs ---------------------------------------------------------------------------------
rule("file_too_large", "error",
     "The file has {size}; the limit is {limit} (setting {setting}).",
     "حجم فایل {size} است؛ حد مجاز {limit} است (تنظیم {setting}).")
rule("unzipped_too_large", "error",
     "{value} would uncompress to {size}; the limit is {limit} (setting {setting}).",
     "{value} پس از باز شدن {size} می‌شود؛ حد مجاز {limit} است (تنظیم {setting}).")
rule("zip_ratio_too_high", "error",
     "{value} is compressed {ratio}:1, like a zip bomb; the limit is {limit}:1 (setting {setting}).",
     "{value} با نسبت {ratio} به ۱ فشرده شده است (مانند بمب فشرده)؛ حد مجاز {limit} به ۱ است (تنظیم {setting}).")
rule("shared_strings_too_large", "error",
     "The workbook's shared-strings table uncompresses to {size}; the limit is {limit} (setting {setting}).",
     "جدول رشته‌های مشترک کارپوشه پس از باز شدن {size} است؛ حد مجاز {limit} است (تنظیم {setting}).")
rule("too_many_sheets", "error",
     "The workbook has {count} sheets; the limit is {limit} (setting {setting}).",
     "کارپوشه {count} برگه دارد؛ حد مجاز {limit} است (تنظیم {setting}).")
rule("file_name_too_long", "error",
     "The file name has {count} characters; the limit is {limit} (setting {setting}). Rename the file.",
     "نام فایل {count} نویسه دارد؛ حد مجاز {limit} است (تنظیم {setting}). نام فایل را کوتاه کنید.")
rule("encoding_utf16", "error",
     "The file is encoded as {value}; save it as UTF-8 (CSV UTF-8 in Excel) and load it again.",
     "رمزگذاری فایل {value} است؛ آن را با UTF-8 ذخیره کنید (CSV UTF-8 در اکسل) و دوباره بارگذاری کنید.")
rule("encoding_mixed", "error",
     "The file reads as {encoding}, but this row holds bytes that are not {encoding} but {found} ({value}); "
     "the file mixes encodings. Save the whole file as UTF-8.",
     "فایل با رمزگذاری {encoding} خوانده می‌شود ولی این سطر بایت‌هایی دارد که {encoding} نیستند و {found} "
     "هستند ({value})؛ رمزگذاری‌ها در فایل مخلوط شده‌اند. کل فایل را با UTF-8 ذخیره کنید.")
rule("sheet_choose", "error",
     "The table was looked for on sheet '{value}'. The workbook's sheets: {sheets}. If the data are on "
     "another sheet, choose it with `payesh ingest --sheet NAME` or the Sheet field of the upload page.",
     "جدول در برگه «{value}» جست‌وجو شد. برگه‌های کارپوشه: {sheets}. اگر داده‌ها در برگه دیگری است، آن را با "
     "`payesh ingest --sheet NAME` یا خانه «برگه» در صفحه بارگذاری انتخاب کنید.")
rule("sheet_unknown", "error",
     "The workbook has no sheet '{value}'. Its sheets: {sheets}.",
     "کارپوشه برگه‌ای به نام «{value}» ندارد. برگه‌های آن: {sheets}.")
rule("formula_without_value", "error",
     "Cell {value} holds a formula without a saved result; open the file in Excel, recalculate and save it "
     "(or paste the values).",
     "سلول {value} فرمولی بدون نتیجه ذخیره‌شده دارد؛ فایل را در اکسل باز کنید، محاسبه و ذخیره کنید "
     "(یا مقدارها را جای‌گذاری کنید).")

# Plausibility (warnings a person reads) --------------------------------------------------------------
rule("unit_value_history", "warning",
     "Unit value {value} USD/t is far outside what the loaded data show for heading {d2} ({d1} USD/t).",
     "ارزش واحد {value} دلار بر تن با داده‌های بارگذاری‌شده سرفصل {d2} ({d1} دلار بر تن) فاصله زیادی دارد.")
rule("weight_without_value", "warning", "Net weight {value} kg is given but the value is 0 USD.",
     "وزن خالص {value} کیلوگرم آمده ولی ارزش ۰ دلار است.")
rule("value_without_weight", "warning", "Value {value} USD is given but the net weight is {d1}.",
     "ارزش {value} دلار آمده ولی وزن خالص {d1} است.")
rule("month_total_jump", "warning",
     "With this file the {d1} total (Solar Hijri) becomes {value} USD, against {d2} USD the same month a "
     "year before: ten times or more. Check the units (rials as dollars, grams as kilograms).",
     "با این فایل جمع {d1} (هجری شمسی) {value} دلار می‌شود، در برابر {d2} دلار در همان ماه سال پیش: ده برابر "
     "یا بیشتر. یکاها را بررسی کنید (ریال به جای دلار، گرم به جای کیلوگرم).")
