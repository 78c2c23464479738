"""The demo document for the demo region: version 1 approved by the working group, version 2 in
consultation with a round open, computed KPIs wired to the loaded ledger, reported KPIs with accepted
and returned reports, actions of the demo agencies (some overdue). Everything goes through the
services, as a person on the site would, so the history and the rules apply.

Targets of computed KPIs are set from the loaded data (the year before × a growth rate), so the demo
shows statuses that mean something whatever ledger is loaded; they are labelled synthetic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import jdatetime
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from payesh.core.models import Role, User
from payesh.core.services import user_create
from payesh.cube import CubeQuery, run
from payesh.reference.models import Agency
from payesh.strategy import services
from payesh.strategy.kpis import data_cutoff
from payesh.strategy.models import Document, Duty, Goal, Kpi, Mission, VotingRule

DEMO_TITLE_EN = "Comprehensive strategic export-development document of the province (synthetic demo)"
DEMO_TITLE_FA = "سند جامع راهبردی توسعهٔ صادرات استان (نمونهٔ ساختگی)"


@dataclass(frozen=True)
class ExtraUser:
    username: str
    password: str
    role: str
    first_name: str
    agency: str | None = None


# Besides the core demo users: two more working-group members (a quorum needs several) and focal
# points of other agencies, who report and send viewpoints.
EXTRA_USERS = (
    ExtraUser("member2", "payesh-member-2026", Role.WORKING_GROUP, "Hamid"),
    ExtraUser("member3", "payesh-member-2026", Role.WORKING_GROUP, "Nasrin"),
    ExtraUser("focal_standards", "payesh-focal-2026", Role.FOCAL_POINT, "Leila", "STANDARDS"),
    ExtraUser("focal_customs", "payesh-focal-2026", Role.FOCAL_POINT, "Karim", "CUSTOMS"),
    ExtraUser("focal_tpo", "payesh-focal-2026", Role.FOCAL_POINT, "Omid", "TPO"),
    ExtraUser("focal_commerce", "payesh-focal-2026", Role.FOCAL_POINT, "Zahra", "COMMERCE_ORG"),
)


def _j(year: int, month: int, day: int) -> dt.date:
    return jdatetime.date(year, month, day).togregorian()


def _value(measure: str, cuts: str, excludes: str, year: int, months: int) -> float:
    params: dict[str, str | list[str]] = {"measures": measure, "year": str(year), "months": str(months)}
    if cuts:
        params["cut"] = cuts
    if excludes:
        params["exclude"] = excludes
    frame = run(CubeQuery.parse(params)).frame
    return float(frame[measure].iloc[0]) if not frame.empty and frame[measure].notna().all() else 0.0


def _pdf(name: str) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


COMPUTED = (
    # code, goal, English, Persian, measure, cuts, excludes, unit, growth of the target over the year before
    ("K1", "G1", "Non-oil exports to Pakistan", "صادرات غیرنفتی به پاکستان", "exports_usd", "partner:PAK",
     "chapter:27", "USD", 1.15),
    ("K2", "G1", "Exports through the joint border markets", "صادرات از بازارچه‌های مرزی مشترک", "exports_usd",
     "channel:border_market", "", "USD", 1.10),
    ("K3", "G1.1", "Exports of fruit and dates (tonnes)", "صادرات میوه و خرما (تن)", "exports_t", "chapter:08", "",
     "t", 1.05),
    ("K6", "G5", "Exports of petroleum products through customs", "صادرات فرآورده‌های نفتی از مجاری رسمی گمرکی",
     "exports_usd", "chapter:27;flow:export", "", "USD", 1.25),
)


@transaction.atomic
def strategy_demo_load(*, today: dt.date | None = None) -> Document:
    """Load the demo document once (again: nothing changes); the demo users must exist."""
    existing = Document.objects.filter(title_en=DEMO_TITLE_EN).first()
    if existing is not None:
        return existing
    today = today or timezone.localdate()
    for extra in EXTRA_USERS:
        user_create(username=extra.username, password=extra.password, role=extra.role,
                    first_name=extra.first_name, last_name="Demo", agency_code=extra.agency)
    analyst = User.objects.get(username="analyst")
    chair = User.objects.get(username="member")
    focal = User.objects.get(username="focal")
    standards = User.objects.get(username="focal_standards")
    customs = User.objects.get(username="focal_customs")
    agencies = {a.code: a for a in Agency.objects.all()}

    document = services.document_create(user=analyst, title_en=DEMO_TITLE_EN, title_fa=DEMO_TITLE_FA, quorum=2,
                                        majority=VotingRule.Majority.SIMPLE, chair=chair, chair_must_approve=True)
    v1 = document.versions.get(number=1)
    cutoff = data_cutoff()
    year, _month = divmod(cutoff, 100) if cutoff else (jdatetime.date.today().year - 1, 12)

    def goal(code: str, en: str, fa: str, parent: Goal | None = None, weight: float | None = None) -> Goal:
        return services.goal_save(user=analyst, version=v1, data={
            "code": code, "title_en": en, "title_fa": fa, "parent": parent, "weight": weight,
            "order": int(code[1]) if code[1].isdigit() else 0})

    g1 = goal("G1", "Raise non-oil exports to Pakistan", "افزایش صادرات غیرنفتی به پاکستان", weight=3)
    g11 = goal("G1.1", "Fruit and dates for the Pakistani market", "میوه و خرما برای بازار پاکستان", g1)
    g2 = goal("G2", "Move border trade to electronic trade with quality, quantity and packaging standards",
              "گذار تجارت مرزی به تجارت الکترونیکی با استانداردهای کیفیت، کمیت و بسته‌بندی", weight=2)
    g3 = goal("G3", "Hold single-country exhibitions", "برگزاری نمایشگاه‌های اختصاصی تک‌کشوری", weight=1)
    g4 = goal("G4", "Identify and assess the capacities of every county",
              "شناسایی و ارزیابی ظرفیت‌های همهٔ شهرستان‌ها", weight=1)
    g5 = goal("G5", "Bring exports of petroleum products into legal channels",
              "هدایت صادرات فرآورده‌های نفتی به مجاری قانونی", weight=2)
    goals = {"G1": g1, "G1.1": g11, "G2": g2, "G3": g3, "G4": g4, "G5": g5}

    for code, goal_code, en, fa, measure, cuts, excludes, unit, growth in COMPUTED:
        previous = _value(measure, cuts, excludes, year - 1, 12)
        base = _value(measure, cuts, excludes, year - 2, 12)
        services.kpi_save(user=analyst, goal=goals[goal_code], data={
            "code": code, "name_en": en, "name_fa": fa, "source": "computed", "unit": unit, "measure": measure,
            "cuts": cuts, "excludes": excludes, "baseline_year": year - 2, "baseline_value": round(base, 2),
            "period_rule": "first_months", "projection": "seasonal"},
            targets=[(year, round(previous * growth, -3)), (year + 1, round(previous * growth * growth, -3))])
    k4 = services.kpi_save(user=analyst, goal=g2, data={
        "code": "K4", "name_en": "Share of exporters with a packaging certificate",
        "name_fa": "سهم صادرکنندگان دارای گواهی بسته‌بندی", "source": "reported", "unit": "%",
        "agency": agencies["STANDARDS"], "accumulates": False, "baseline_year": year - 1, "baseline_value": 18,
        "projection": "linear"}, targets=[(year, 30), (year + 1, 45)])
    k5 = services.kpi_save(user=analyst, goal=g2, data={
        "code": "K5", "name_en": "Firms trading electronically in the border markets",
        "name_fa": "بنگاه‌های دارای مبادلهٔ الکترونیکی در بازارچه‌های مرزی", "source": "reported", "unit": "firms",
        "agency": agencies["COMMERCE_ORG"], "accumulates": False, "baseline_year": year - 1, "baseline_value": 40,
        "projection": "linear"}, targets=[(year, 120)])

    start = _j(year, 1, 15)
    # Due dates from today's year, so that the demo has actions overdue, due soon and running whenever it is built.
    now = jdatetime.date.fromgregorian(date=today).year
    actions_spec = (
        ("A1.1", g1, "Trade mission to Quetta and Karachi for non-oil products",
         "اعزام هیئت تجاری به کویته و کراچی برای کالاهای غیرنفتی", "CHAMBER", ["TPO", "COMMERCE_ORG"],
         start, _j(now + 1, 6, 30), 2),
        ("A1.2", g11, "Cold chain and packing for dates bound for Pakistan",
         "زنجیرهٔ سرد و بسته‌بندی خرمای صادراتی به پاکستان", "AGRICULTURE", ["STANDARDS"],
         start, _j(now + 1, 12, 15), 2),
        ("A2.1", g2, "Electronic registration of border-market trades", "ثبت الکترونیکی مبادلات بازارچه‌های مرزی",
         "BORDER_MARKETS", ["CUSTOMS", "COMMERCE_ORG"], start, _j(now, 6, 31), 2),
        ("A2.2", g2, "Packaging and quality standard for exported dates", "استاندارد بسته‌بندی و کیفیت خرمای صادراتی",
         "STANDARDS", ["AGRICULTURE"], start, _j(now, 9, 30) if today < _j(now, 9, 30) else _j(now + 1, 1, 30), 1),
        ("A3.1", g3, "Single-country exhibition of Iranian goods in Karachi", "نمایشگاه اختصاصی کالاهای ایرانی در کراچی",
         "TPO", ["CHAMBER"], start, _j(now + 1, 2, 30), 1),
        ("A4.1", g4, "Survey of agricultural and fishery capacities of every county",
         "پیمایش ظرفیت‌های کشاورزی و شیلاتی همهٔ شهرستان‌ها", "AGRICULTURE", ["FISHERIES", "MINING"],
         start, _j(now - 1, 12, 20), 1),
        ("A5.1", g5, "Licensed export channel for fuel at the border crossings",
         "مجرای صادرات مجاز سوخت در گذرگاه‌های مرزی", "CUSTOMS", ["BORDER_GUARD", "GOVERNORATE"],
         start, _j(now + 1, 6, 30), 2),
    )
    actions = {}
    for code, g, en, fa, agency, supporting, begin, due, weight in actions_spec:
        actions[code] = services.action_save(user=analyst, goal=g, data={
            "code": code, "title_en": en, "title_fa": fa, "agency": agencies[agency], "start_date": begin,
            "due_date": due, "weight": weight, "report_every_months": 6},
            supporting=[agencies[s] for s in supporting])
    services.milestone_add(user=analyst, action=actions["A3.1"], title_en="Venue contracted", title_fa="قرارداد محل",
                           due_date=_j(year, 6, 1))
    services.milestone_add(user=analyst, action=actions["A3.1"], title_en="Exhibitors registered",
                           title_fa="ثبت‌نام غرفه‌داران", due_date=_j(now + 1, 1, 20))

    # Missions: each agency's mandate as its duty list, linked to the goals and actions it serves.
    for agency_code, links in (("AGRICULTURE", ("A1.2", "A4.1")), ("STANDARDS", ("A2.2",)), ("CUSTOMS", ("A5.1",)),
                        ("TPO", ("A3.1",)), ("BORDER_MARKETS", ("A2.1",)), ("CHAMBER", ("A1.1",))):
        owner = agencies[agency_code]
        mission = Mission.objects.create(agency=owner, number=1, valid_from=_j(year - 1, 1, 1))
        english = [s.strip() for s in owner.mandate_en.split(". ") if s.strip()]
        persian = [s.strip() for s in owner.mandate_fa.split(". ") if s.strip()]
        pairs = list(zip(english, persian, strict=True)) if len(english) == len(persian) else [
            (owner.mandate_en, owner.mandate_fa)]
        for order, (en, fa) in enumerate(pairs):
            duty = Duty.objects.create(mission=mission, order=order, text_en=en.rstrip(".") + ".",
                                       text_fa=fa.rstrip(".") + ".")
            if order == 0:
                duty.actions.set([actions[c] for c in links])
                duty.goals.set({actions[c].goal for c in links})
    second = Mission.objects.create(agency=agencies["AGRICULTURE"], number=2, valid_from=_j(year, 1, 1),
                                    note="Export-development duties added by the provincial council.")
    for order, duty in enumerate(Mission.objects.get(agency=agencies["AGRICULTURE"], number=1).duties.all()):
        copy = Duty.objects.create(mission=second, order=order, text_en=duty.text_en, text_fa=duty.text_fa)
        copy.goals.set(duty.goals.all())
        copy.actions.set(duty.actions.all())
    new_duty = Duty.objects.create(
        mission=second, order=99, text_en="Report each county's farm and fishery capacities every six months.",
        text_fa="گزارش شش‌ماهه از ظرفیت‌های کشاورزی و شیلاتی هر شهرستان.")
    new_duty.goals.set([g4])
    new_duty.actions.set([actions["A4.1"]])

    # Version 1 before the working group; the chair and one more member approve (quorum 2, simple majority).
    services.version_request_approval(user=analyst, version=v1)
    services.vote_cast(user=chair, version=v1, choice="approve", comment="Ready for implementation.")
    services.vote_cast(user=User.objects.get(username="member2"), version=v1, choice="approve")
    v1.refresh_from_db()

    # Reports on version 1: accepted, returned with a reason, and one waiting for review.
    def report(user: User, code: str, percent: int, on: dt.date, text: str) -> Any:
        return services.progress_report_submit(user=user, action=actions[code], text=text, percent=percent,
                                               reported_on=min(on, today), files=[_pdf(f"{code}-{percent}.pdf")])

    accepted = report(focal, "A4.1", 40, _j(year, 7, 10), "Surveys finished in 8 of 19 counties.")
    services.report_accept(user=analyst, report=accepted)
    returned = report(focal, "A4.1", 70, _j(year + 1, 1, 20), "Most counties surveyed.")
    services.report_return(user=analyst, report=returned,
                           reason="Name the counties surveyed and attach the survey tables.")
    dates = report(focal, "A1.2", 30, _j(year, 9, 1), "Two packing houses upgraded in Saravan.")
    services.report_accept(user=analyst, report=dates)
    fuel = report(customs, "A5.1", 55, _j(year + 1, 2, 1), "Licensed fuel lane open at Mirjaveh.")
    services.report_accept(user=analyst, report=fuel)
    report(standards, "A2.2", 60, _j(year + 1, 3, 5), "Draft standard published for comment.")

    k4_accepted = services.kpi_report_submit(user=standards, kpi=k4, year=year, months=12, value=24.5,
                                             text="Registry of packaging certificates, 1,204 exporters.",
                                             reported_on=min(_j(year + 1, 1, 25), today), files=[_pdf("k4.pdf")])
    services.report_accept(user=analyst, report=k4_accepted)
    k4_returned = services.kpi_report_submit(user=standards, kpi=k4, year=year + 1, months=6, value=33.0,
                                             text="Estimate.", reported_on=min(_j(year + 1, 7, 10), today))
    services.report_return(user=analyst, report=k4_returned, reason="An estimate is not a count: send the registry "
                                                                    "extract.")
    k5_report = services.kpi_report_submit(user=User.objects.get(username="focal_commerce"), kpi=k5, year=year,
                                           months=12, value=86, text="Firms with electronic declarations.",
                                           reported_on=min(_j(year + 1, 1, 30), today))
    services.report_accept(user=analyst, report=k5_report)
    services.version_kpis_recompute(user=analyst, version=v1)

    # Version 2: a draft copied from version 1 and changed, then put to consultation.
    v2 = services.version_new_draft(user=analyst, source=v1)
    k1_v2 = Kpi.objects.get(version=v2, code="K1")
    services.kpi_targets_set(user=analyst, kpi=k1_v2, targets=[(t.year, t.value * 1.1) for t in k1_v2.targets.all()])
    g6 = services.goal_save(user=analyst, version=v2, data={
        "code": "G6", "title_en": "Barter trade with Pakistan through the chambers",
        "title_fa": "تجارت تهاتری با پاکستان از طریق اتاق‌های بازرگانی", "weight": 1, "order": 6})
    services.action_save(user=analyst, goal=g6, data={
        "code": "A6.1", "title_en": "Barter desk at the Zahedan chamber", "title_fa": "میز تهاتر در اتاق زاهدان",
        "agency": agencies["CHAMBER"], "start_date": _j(now, 10, 1), "due_date": _j(now + 1, 9, 30),
        "weight": 1, "report_every_months": 3})
    a31 = v2.actions.get(code="A3.1")
    services.action_save(user=analyst, goal=a31.goal, action=a31, data={"due_date": _j(now + 1, 8, 30)})
    round_ = services.round_open(user=analyst, version=v2, deadline=today + dt.timedelta(days=21),
                                 agencies=[agencies[c] for c in ("AGRICULTURE", "STANDARDS", "CUSTOMS", "TPO")],
                                 note="Comment on the new barter goal and the revised exhibition timetable.",
                                 today=today)
    view = services.viewpoint_submit(user=standards, round_=round_, kpi=Kpi.objects.get(version=v2, code="K4"),
                                     text="A 45 % target needs two more testing labs; we propose 40 %.")
    services.viewpoint_submit(user=customs, round_=round_, goal=Goal.objects.get(version=v2, code="G5"),
                              text="Add a KPI on seized fuel volumes to show the shift to legal channels.")
    services.viewpoint_dispose(user=analyst, viewpoint=view, disposition="partly",
                               reason="Target lowered to 42 % in the next draft; labs added as an action.")
    return document
