"""The message catalogue: every user-facing sentence of the report, the CLI and the evaluation, in Chinese and English.

Each entry is a key → ``(Chinese, English)`` pair, so a text cannot exist in one language
only; :func:`text` picks one and fills its ``str.format`` placeholders. Keys are grouped by
a prefix: ``report.`` (the evaluation report), ``reason.`` and ``note.`` (why a target has
its status), ``cli.`` (command-line messages), ``flood.`` and ``fares.`` (those commands).

>>> text("reason.met", "en", latest="80.0%", year="2025", goal="at least 80.0% by 2025")
'The latest value, 80.0% (2025), meets the target (at least 80.0% by 2025).'
>>> lang_or_default(None, env={"METROCIRCLE_LANG": "en"})
'en'
"""

from __future__ import annotations

import os
from collections.abc import Mapping

__all__ = ["CATALOGUE", "LANGS", "lang_or_default", "text"]

LANGS: tuple[str, ...] = ("zh", "en")
"""The languages every entry has, Chinese first."""

_REPORT: dict[str, tuple[str, str]] = {
    # cover and contents
    "title": ("{plan}实施评估报告", "Implementation evaluation of the {plan}"),
    "subtitle": (
        "规划实施情况评估（供联席会议办公室及第三方评估使用）",
        "Evaluation of the plan's implementation (for the joint office and third-party evaluation)",
    ),
    "plan_ref": ("规划文件", "Plan"),
    "plan_ref_value": ("{plan}（{ref}）", "{plan} ({ref})"),
    "as_of": ("评估年份", "Evaluation year"),
    "generated": ("生成日期", "Generated on"),
    "data_version": ("数据版本", "Data version"),
    "audit_head": ("留痕校验码", "Audit trail check code"),
    "previous": ("对比的上次评估", "Compared with the evaluation of"),
    "contents": ("目录", "Contents"),
    "page": ("第 {n} 页", "page {n}"),
    "table_no": ("表 {n}", "Table {n}"),
    "figure_no": ("图 {n}", "Figure {n}"),
    # chapter titles
    "ch1": ("一、总体评价", "1. Overall assessment"),
    "ch2": ("二、目标完成情况", "2. Progress towards the targets"),
    "ch3": ("三、重点任务与项目进展", "3. Key tasks and projects"),
    "ch4": ("四、分区评估", "4. Assessment by district and county"),
    "ch5": ("五、存在问题与风险", "5. Problems and risks"),
    "ch6": ("六、对策建议", "6. Recommendations"),
    "annex": ("附件", "Annexes"),
    "annex1": ("附件1 评估方法", "Annex 1. Methods"),
    "annex2": ("附件2 数据缺口清单", "Annex 2. Data gaps"),
    "annex3": ("附件3 数据来源", "Annex 3. Sources"),
    "annex4": ("附件4 专题分析与评价标准", "Annex 4. Thematic analyses and standards"),
    # chapter 1
    "key_numbers": ("主要数据", "Key figures"),
    "findings": ("主要结论", "Main findings"),
    "changes": ("与上次评估相比", "Since the previous evaluation"),
    "no_changes": (
        "与上次评估（{date}）相比，各目标状态没有变化。",
        "No target changed status since the previous evaluation ({date}).",
    ),
    "change_line": ("{name}：由“{old}”变为“{new}”。", "{name}: from “{old}” to “{new}”."),
    "kn_targets": ("量化目标", "quantified targets"),
    "kn_with_data": ("有监测数据的目标", "targets with data"),
    "kn_achieved": ("已实现", "achieved"),
    "kn_behind": ("滞后或存在风险", "off track or at risk"),
    "kn_projects": ("重点项目", "key projects"),
    "kn_within60": (
        "驻地1小时可达中心的区县（{scenario}）",
        "units whose seat reaches the centre within an hour ({scenario})",
    ),
    "f_overview": (
        "规划提出的 {n} 个量化目标中，{achieved} 个已实现，{on_track} 个进度正常，{behind} 个滞后或存在风险，{no_data} 个尚无可用的监测数据。",
        "The plan's {n} quantified targets: {achieved} achieved, {on_track} on track, {behind} off track or at risk, {no_data} without usable data yet.",
    ),
    "f_achieved": ("已实现的目标：{items}。", "Achieved: {items}."),
    "f_behind": ("需重点关注的目标：{items}。", "Targets needing attention: {items}."),
    "f_no_data": (
        "{no_data} 个目标暂无数据，集中在{chapters}；在有关部门报送数据之前，无法判断这些目标的进展。",
        "{no_data} targets have no data, mostly in {chapters}; their progress cannot be judged until the responsible departments report it.",
    ),
    "f_units": (
        "按交通网络模型测算，{scenario}情景下 {n_out} 个区县的驻地到{centre}超过 60 分钟，最远的是{worst}（{minutes}）；这些时间为模型推算值，不是实测值。",
        "By the network model, in the {scenario} scenario {n_out} units' seats are more than 60 minutes from {centre}, the farthest being {worst} ({minutes}); these are modelled times, not measurements.",
    ),
    "f_item": ("{name}（{value}）", "{name}: {value}"),
    "chapter_no": ("第{ch}章", "chapter {ch}"),
    "list_sep": ("、", ", "),
    # chapter 2
    "ch2_intro": (
        "表 {t1} 列出有监测数据的 {n} 个目标的完成情况；暂无数据的 {m} 个目标集中列于表 {t2}，所需数据见附件2。",
        "Table {t1} gives the {n} targets that have data; the {m} targets without data are listed together in Table {t2}, and Annex 2 says what data they need.",
    ),
    "tbl_targets": ("有监测数据的目标完成情况", "Targets with data"),
    "tbl_no_data": ("暂无数据的目标", "Targets without data"),
    "col_target": ("目标", "Target"),
    "col_chapter": ("章节", "Chapter"),
    "col_scope": ("范围", "Scope"),
    "col_goal": ("目标值", "Target value"),
    "col_latest": ("最新值", "Latest value"),
    "col_progress": ("进度", "Progress"),
    "col_status": ("状态", "Status"),
    "col_reason": ("判定理由", "Reason"),
    "col_needed": ("需要的数据", "Data needed"),
    "detail": ("分项说明", "Target by target"),
    "baseline": ("基期", "Baseline"),
    "latest": ("最新值", "Latest value"),
    "goal": ("目标", "Target"),
    "required_pace": ("所需年均变化", "Yearly change required"),
    "observed_pace": ("实际年均变化", "Yearly change observed"),
    "projection": ("目标年预测值", "Projected at the target year"),
    "year_reached": ("按实际速度达标年份", "Year reached at the observed pace"),
    "not_reached": ("按实际速度无法达到", "not reached at the observed pace"),
    "notes": ("说明", "Notes"),
    "source_of_latest": ("最新值来源", "Source of the latest value"),
    "kind_observation": ("监测数据", "published or reported value"),
    "kind_computation": ("模型推算", "modelled value"),
    "plan_quote": ("规划原文", "Plan text"),
    "method_linear": ("线性外推", "linear"),
    "method_compound": ("按复合增长率外推", "compound growth"),
    "baseline_plan": ("规划基期", "plan baseline"),
    "baseline_first": ("首个监测值", "first value"),
    "in_place": ("全面实现", "in place"),
    "goal_with_year": ("{dir}{value}（{year} 年）", "{dir} {value} by {year}"),
    "goal_no_year": ("{dir}{value}（未定年限）", "{dir} {value} (no year set)"),
    "value_year": ("{value}（{year} 年）", "{value} ({year})"),
    "needed_years_after": ("{year} 年以后的数值", "values after {year}"),
    "needed_any_year": ("任一年份的数值", "a value for any year"),
    "needed_line": ("单位：{unit}；{years}", "in {unit}; {years}"),
    "needed_line_bare": ("{years}", "{years}"),
    "modelled_mark": ("（模型推算）", " (modelled)"),
    # chapter 3
    "ch3_intro": (
        "规划列出 {n} 个重点项目（表 {t1}）。项目清单未记录建设进度的实测数据，下表按规划要求的推进方式统计；已纳入交通网络模型的项目，其对1小时通勤的作用见表 {t3}。",
        "The plan lists {n} key projects (Table {t1}). The list records no measured construction progress, so the table counts them by what the plan asks for; the effect on the one-hour commute of the projects in the network model is in Table {t3}.",
    ),
    "tbl_projects_status": (
        "重点项目按推进方式和类别统计",
        "Key projects by what the plan asks and by type",
    ),
    "tbl_projects_targets": (
        "重点项目与同章节目标",
        "Key projects and the targets of the same plan section",
    ),
    "tbl_ranking": (
        "交通项目对1小时通勤的作用（{scenario}）",
        "What each transport project does for the one-hour commute ({scenario})",
    ),
    "col_type": ("类别", "Type"),
    "col_total": ("合计", "Total"),
    "col_section": ("规划章节", "Plan section"),
    "col_projects": ("项目数", "Projects"),
    "col_targets_served": ("同章节目标及状态", "Targets of the section and their status"),
    "col_project": ("项目", "Project"),
    "col_in_service": ("投用年份", "In service"),
    "col_saved_alone": ("单独建设时各区县平均节省", "Mean time saved per unit if built alone"),
    "col_added_removed": ("不建设时各区县平均增加", "Mean time added per unit if left out"),
    "col_units_gain": ("新进入1小时圈的区县数", "Units brought within the hour"),
    "ranking_other": (
        "其他未列入规划重点项目的线路变化（{n} 项）",
        "Other network changes not among the plan's key projects ({n})",
    ),
    "ranking_note": (
        "方法：从情景中逐一去掉某个项目（不建设），或只在2020年现状上加入该项目（单独建设），比较各区县驻地到中心的时间；时间为模型推算值。",
        "Method: each project is left out of the scenario, or added alone to the 2020 network, and the seat-to-centre times of the units are compared; times are modelled.",
    ),
    "no_section_targets": ("本节无量化目标", "no quantified target in this section"),
    "ptype_agricultural_zone": ("农业园区", "agricultural zone"),
    "ptype_airport": ("机场", "airport"),
    "ptype_bridge": ("桥梁", "bridge"),
    "ptype_coal_storage": ("煤炭储备", "coal storage"),
    "ptype_conventional_railway": ("普速铁路", "conventional railway"),
    "ptype_expressway_corridor": ("高速公路通道", "expressway corridor"),
    "ptype_expressway_widening": ("高速公路扩能", "expressway widening"),
    "ptype_gas_storage": ("天然气储备", "gas storage"),
    "ptype_high_speed_railway": ("高速铁路", "high-speed railway"),
    "ptype_logistics_hub": ("物流枢纽", "logistics hub"),
    "ptype_oil_storage": ("成品油储备", "oil storage"),
    "ptype_other": ("其他", "other"),
    "ptype_passenger_hub": ("客运枢纽", "passenger hub"),
    "ptype_platform": ("合作平台", "cooperation platform"),
    "ptype_port": ("港口", "port"),
    "ptype_power_grid": ("电网", "power grid"),
    "ptype_rail_hub": ("铁路枢纽", "rail hub"),
    "ptype_regional_connector": ("区域连接道路", "regional connector road"),
    "ptype_scenic_area": ("景区", "scenic area"),
    "ptype_suburban_railway": ("市域（郊）铁路", "suburban railway"),
    "ptype_tunnel": ("隧道", "tunnel"),
    "ptype_urban_connector": ("城际快速路", "urban connector road"),
    "ptype_waterway": ("航道", "waterway"),
    "pstatus_build": ("建设", "build"),
    "pstatus_upgrade": ("提升改造", "upgrade"),
    "pstatus_prepare": ("前期工作", "prepare"),
    "pstatus_study": ("研究论证", "study"),
    "pstatus_continue": ("续建", "continue"),
    "pstatus_start": ("开工", "start"),
    "pstatus_other": ("其他", "other"),
    "col_pstatus": ("推进方式", "What the plan asks"),
    "section_no": ("第{ch}章第{sec}节", "chapter {ch}, section {sec}"),
    "unit_pct_name": ("百分比（%）", "percent"),
    "unit_bool_name": ("是/否", "yes or no"),
    "scope_group": ("{name}各区县", "each unit of the {name}"),
    # chapter 4
    "ch4_intro": (
        "表 {t1} 按区县列出人口、城镇化、经济总量和驻地到{centre}的通行时间；图 {f1} 起为分区县分布图，灰色表示该年无数据。",
        "Table {t1} gives each district and county's population, urbanisation, economic output and seat-to-{centre} travel time; the maps from Figure {f1} on show the same by unit, grey meaning no value for that year.",
    ),
    "tbl_units": (
        "分区县基本情况与1小时通勤",
        "Districts and counties: basic figures and the one-hour commute",
    ),
    "col_unit": ("区县", "Unit"),
    "col_role": ("功能定位", "Role in the plan"),
    "col_population": ("常住人口（2020年，万人）", "Residents, 2020 (10,000 people)"),
    "col_urban": ("城镇化率（2020年）", "Urbanisation, 2020"),
    "col_gdp": ("地区生产总值（{year} 年，亿元）", "GDP, {year} (100 million yuan)"),
    "col_minutes": ("驻地至{centre}（{scenario}，分钟）", "Seat to {centre}, {scenario} (minutes)"),
    "col_within": ("1小时内", "Within the hour"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "lagging_units": (
        "驻地到中心超过1小时的区县：{items}。",
        "Units whose seat is more than an hour from the centre: {items}.",
    ),
    "map_title": ("{name}（{year} 年，{unit}）", "{name} ({year}, {unit})"),
    "thematic": ("专题：交通可达性", "Theme: accessibility"),
    "no_network": (
        "本数据集没有交通网络，无法计算通行时间。",
        "The dataset has no transport network, so no travel times are computed.",
    ),
    # chapter 5
    "ch5_intro": (
        "问题按严重程度排序：先列进度滞后和存在风险的目标（按差距大小），再列数据本身的问题，最后是缺少数据的目标。",
        "Problems are ranked by severity: targets off track or at risk first (largest gap first), then problems with the data itself, then targets without data.",
    ),
    "tbl_risks": ("问题与风险清单", "Problems and risks"),
    "col_rank": ("序号", "No."),
    "col_problem": ("问题", "Problem"),
    "col_severity": ("严重程度", "Severity"),
    "sev_high": ("高", "high"),
    "sev_medium": ("中", "medium"),
    "sev_low": ("低", "low"),
    "risk_gap": ("{name}：{reason}", "{name}: {reason}"),
    "risk_data": ("{name}：{note}", "{name}: {note}"),
    "risk_no_data": (
        "{n} 个目标没有任何监测数据，无法评估，涉及{chapters}。",
        "{n} targets have no data at all and cannot be evaluated ({chapters}).",
    ),
    "risk_modelled": (
        "{name}的数值来自模型推算而非统计或监测，结论需以实测数据核实。",
        "The value of {name} is modelled, not measured or published; the finding should be checked against measured data.",
    ),
    # chapter 6
    "rec_behind": (
        "{name}：最新值 {latest}，目标 {goal}。{action}",
        "{name}: latest {latest}, target {goal}. {action}",
    ),
    "rec_action_projects": (
        "对该目标作用最大的在建或规划项目是{projects}，建议优先保障其建设进度。",
        "The projects that do most for it are {projects}; their construction should be given priority.",
    ),
    "rec_action_generic": (
        "建议牵头部门分析原因，制定专项推进措施，并在下次评估前报送最新数据。",
        "The lead department should analyse why, set out specific measures and report new data before the next evaluation.",
    ),
    "rec_units": (
        "驻地到中心超过1小时的 {n} 个区县（{items}）应作为交通互联互通的重点，优先推进连接这些区县的铁路和高速公路项目。",
        "The {n} units whose seat is more than an hour from the centre ({items}) should be the focus of transport links, with priority for the rail and expressway projects that serve them.",
    ),
    "rec_data": (
        "请各有关部门按附件2报送 {n} 个目标的数据（指标名称、计量单位、年份），重点是{chapters}的目标；数据报送后本报告可直接更新。",
        "The responsible departments should report the data of Annex 2 for {n} targets (indicator, unit of measure, year), first those of {chapters}; the report updates as soon as they are in.",
    ),
    "rec_single": (
        "{names}目前只有一个年份的数值，需补充后续年份数据才能判断进度。",
        "{names} have a value for one year only; values for later years are needed to judge progress.",
    ),
    "rec_modelled": (
        "1小时通勤等由模型推算的指标，建议以交通部门的实测通行时间或手机信令数据进行校核。",
        "Modelled indicators such as the one-hour commute should be checked against measured travel times from the transport departments or mobile-phone data.",
    ),
    # annexes
    "annex2_intro": (
        "下表列出尚需报送的数据：每行一个目标，写明指标名称、计量单位、范围和年份。数据可通过系统的数据报送功能提交，或交评估单位统一导入。",
        "The table lists the data still to be reported: one target per row with the indicator, unit of measure, scope and years. Data can be submitted through the system's submission page or handed to the evaluation team for import.",
    ),
    "tbl_gaps": ("数据缺口清单", "Data gaps"),
    "col_indicator": ("指标名称", "Indicator"),
    "col_unit_measure": ("计量单位", "Unit of measure"),
    "col_years": ("年份", "Years"),
    "years_after": ("{year} 年起各年", "each year from {year}"),
    "years_any": ("{start}—{end} 年任一年份", "any year {start}–{end}"),
    "annex3_intro": (
        "报告所用数值按发布机构归类如下（网址仅作文字列出，报告不加载任何外部资源）。转载来源已注明，应以原发布机构的公开文件为准。",
        "The values used in this report, grouped by the publishing authority (addresses are given as text; the report loads nothing from outside). Reposts are marked; the authority's own publication prevails.",
    ),
    "tbl_sources": ("数据来源", "Sources"),
    "col_authority": ("发布机构", "Authority"),
    "col_source": ("来源", "Source"),
    "col_values": ("所用数值", "Values used"),
    "authority_derived": (
        "由所列来源的数值派生",
        "Derived from the values of the sources listed",
    ),
    "authority_model": ("模型推算（本系统）", "Modelled (this system)"),
    "authority_unknown": ("其他来源（转载或汇编）", "Other sources (reposts and compilations)"),
    "uses_more": ("等 {n} 项", "and {n} more"),
    "footer": (
        "本报告可离线打开；所有数值均附来源，模型推算值已单独标明。",
        "This report opens offline; every value carries its source, and modelled values are marked as such.",
    ),
    "section_failed": ("本节无法生成：{error}", "This section could not be rendered: {error}"),
    # charts
    "chart_observed": ("监测值", "observed"),
    "chart_computed": ("模型推算值", "modelled"),
    "chart_baseline": ("基期值", "baseline"),
    "chart_target": ("目标值", "target"),
    "chart_projection": ("按实际速度预测", "projection at the observed pace"),
    "chart_band": ("线性/复合增长预测区间", "linear–compound projection band"),
    "chart_target_year": ("目标年", "target year"),
    "chart_no_data": ("暂无数据", "no data"),
    "year": ("年份", "year"),
    "map_no_data": ("无数据", "no data"),
}

_REASON: dict[str, tuple[str, str]] = {
    "met": (
        "最新值 {latest}（{year} 年）已达到目标（{goal}）。",
        "The latest value, {latest} ({year}), meets the target ({goal}).",
    ),
    "missed": (
        "{year} 年数值 {latest} 未达到目标（{goal}）。",
        "The {year} value, {latest}, misses the target ({goal}).",
    ),
    "single_value": (
        "仅有 {year} 年一个数值（{latest}），尚未达到目标（{goal}）；需要 {year} 年以后的数值才能判断进度。",
        "Only one value ({latest} in {year}), short of the target ({goal}); values after {year} are needed to judge progress.",
    ),
    "moving_away": (
        "数值未向目标方向变化（实际变化 {pace}）；最新值 {latest}（{year} 年），目标{goal}。",
        "The value is not moving towards the target ({pace}); latest {latest} ({year}), target {goal}.",
    ),
    "moving_toward": (
        "数值正向目标变化（实际变化 {pace}），规划未设目标年。",
        "The value is moving towards the target ({pace}); the plan sets no target year.",
    ),
    "on_pace": (
        "按实际速度 {reached} 年可达到目标（{goal}）。",
        "At the observed pace the target ({goal}) is reached in {reached}.",
    ),
    "behind_pace": (
        "按实际速度 {target_year} 年预计为 {projected}，未达到目标（{goal}）。",
        "At the observed pace the {target_year} value is projected at {projected}, short of the target ({goal}).",
    ),
    "no_data": (
        "暂无数据：需要{scope}{name}的{years}（{unit}）。",
        "No data: needs {name} for {scope}: {years} ({unit}).",
    ),
    "no_data_computed": (
        "暂无数据：需要{scope}{name}的{years}（{unit}），或补齐模型推算所需的基础数据。",
        "No data: needs {name} for {scope}: {years} ({unit}), or the inputs the model needs to compute it.",
    ),
}

_NOTE: dict[str, tuple[str, str]] = {
    "pace": (
        "到 {target_year} 年所需年均变化 {required}，实际年均变化 {observed}。",
        "Needs {required} to {target_year}; observed {observed}.",
    ),
    "required": (
        "到 {target_year} 年所需年均变化 {required}。",
        "Needs {required} to {target_year}.",
    ),
    "no_plan_baseline": (
        "规划未给出基期值，进度从首个监测值（{year} 年 {value}）起算。",
        "The plan gives no baseline: progress is measured from the first value ({value} in {year}).",
    ),
    "baseline_differs": (
        "规划基期值与同年监测值不一致，进度按规划基期值计算。",
        "The plan's baseline differs from the value reported for the same year; progress is measured from the plan's.",
    ),
    "no_target_year": (
        "规划未给出目标年，无法按期限判断进度。",
        "The plan sets no target year, so progress cannot be judged against a deadline.",
    ),
    "target_year_passed": (
        "目标年已过，但尚无目标年的数值，状态依据此前的数值推算。",
        "The target year has passed but there is no value for it yet; the status is projected from earlier values.",
    ),
    "conflicting_values": (
        "同一年份有来源不同且不一致的数值，报告采用较新报送的数值。",
        "Sources disagree on a year's value; the report uses the most recently reported one.",
    ),
    "stand_in": (
        "本范围暂无数据，以{scope}的数据代替，仅供参考。",
        "No values for this scope: figures for {scope} stand in and are indicative only.",
    ),
    "derived_value": (
        "{year} 年数值由公开数据推算（非直接发布）：{note}",
        "The {year} value is derived from published figures, not published as such.",
    ),
    "inferred_attribution": (
        "{year} 年数值归属本范围系推定，来源未明确说明。",
        "The {year} value's attribution to this scope is inferred, not stated by the source.",
    ),
    "unit_mismatch": (
        "部分数值计量单位与目标不一致，未采用。",
        "Some values are in another unit of measure than the target and were not used.",
    ),
    "computation": (
        "模型推算所需的基础数据不全，部分年份无法推算。",
        "The model lacks some of the data it needs, so some years have no modelled value.",
    ),
    "modelled": (
        "数值为模型推算值，不是统计或监测数据。",
        "The value is modelled, not a published statistic or measurement.",
    ),
}

_CLI: dict[str, tuple[str, str]] = {
    "districts_title": (
        "{region}：{n} 个区县（2020 年人口普查）",
        "{region}: {n} units (census 2020)",
    ),
    "districts_columns": (
        "代码|名称|英文名|上级|功能定位|常住人口|城镇化率（%）|面积（平方公里，计算）",
        "code|name (zh)|name|parent|roles|population|urbanisation %|area km² (computed)",
    ),
    "commute_title": (
        "至{centre}通行时间（分钟，模型）— {scenario}",
        "Minutes to {centre} (modelled) — {scenario}",
    ),
    "commute_columns": (
        "代码|区县|道路|轨道|最快|方式|60分钟内|至中心城区边缘|公开数据",
        "code|unit|road|rail|fastest|mode|≤60 min|to core edge|published",
    ),
    "mode_road": ("道路", "road"),
    "mode_rail": ("轨道", "rail"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "undated": ("未注明日期", "undated"),
    "commute_published_note": (
        "公开数据：公开来源所述该区县与中心城区（中心城区/主城，具体地点未注明）之间的时间，"
        "列于模型结果旁供对照，不参与模型计算；来源见 --json 输出（published.source_url）。",
        "published: a time a public source states between the unit and the central urban area"
        " (中心城区/主城, point not stated), shown beside the model, not used in it;"
        " sources in --json (published.source_url).",
    ),
    "commute_target": (
        "周边区县 60 分钟内：{n}/{total}（{share}），人口 {pop}；最慢 {slowest} {minutes} 分钟；"
        "“基本实现”门槛 {basic} → {verdict}（模型推算）",
        "Surrounding units within 60 min: {n}/{total} ({share}), population {pop}; slowest "
        "{slowest} {minutes} min; 基本实现 threshold {basic} → {verdict} (modelled)",
    ),
    "met": ("已达到", "met"),
    "not_met": ("未达到", "not met"),
    "written": ("已写入 {path}", "Wrote {path}"),
    "pdf_missing": (
        "生成 PDF 需要 WeasyPrint 及系统库 Pango：{detail}。请安装后重试（HTML 报告不需要它们）。",
        "PDF output needs WeasyPrint and the system library Pango: {detail}. Install them and try again (the HTML report needs neither).",
    ),
    "pdf_failed": (
        "PDF 生成失败，HTML 报告已保留：{detail}",
        "The PDF could not be rendered; the HTML report is kept: {detail}",
    ),
    "port_taken": (
        "端口 {port} 已被占用（{host}）。请用 --port 指定其他端口，或先关闭占用该端口的程序。",
        "Port {port} on {host} is already in use. Choose another with --port, or stop the program using it.",
    ),
    "encoding_read": ("按 {encoding} 编码读取 {file}", "Read {file} as {encoding}"),
    "report_progress": ("生成评估报告", "Writing the evaluation report"),
    "rank_progress": ("逐个评估项目", "Ranking projects"),
    "rank_later": (
        "（不在情景 {scenario} 中；投运年份 {year}）",
        " (not in {scenario}; in-service year {year})",
    ),
    "rank_line": (
        "去掉该项目：60 分钟内区县减少 {removed} 个，平均通行时间增加 {removed_min} 分钟；"
        "仅增加该项目：60 分钟内区县增加 {added} 个，平均减少 {added_min} 分钟；"
        "新进入 60 分钟圈的区县：{inside}",
        "removed: −{removed} units within 60, +{removed_min} min mean; "
        "added alone: +{added} units, −{added_min} min mean; brings inside 60 min: {inside}",
    ),
    "isochrone_progress": ("计算等时圈", "Computing the isochrone"),
    "matrix_progress": ("计算出行时间矩阵", "Computing the travel-time matrix"),
    "network_progress": ("构建交通网络", "Building the network"),
    "unknown_unit": (
        "未知的区县：{value}（可用区县代码或名称，如 500103 或 渝中区）",
        "Unknown unit: {value} (give a unit code or name, e.g. 500103 or Yuzhong District)",
    ),
    "xlsx_written": ("已导出 {n} 行到 {path}", "Exported {n} rows to {path}"),
    "error": ("错误：{message}", "error: {message}"),
    "bad_lang": (
        "--lang 为 {value}，应为 zh 或 en",
        "`--lang` was {value} but is expected to be zh or en",
    ),
    "bad_choice": (
        "{option} 为 {value}，应为以下之一：{choices}",
        "{option} was {value} but is expected to be one of {choices}",
    ),
    # info
    "info_plan": ("规划", "Plan"),
    "info_units": ("区县数", "County-level units"),
    "info_population": ("常住人口（2020 年）", "Resident population (2020)"),
    "info_urbanisation": ("城镇化率（2020 年）", "Urbanisation rate (2020)"),
    "info_area": (
        "面积（平方公里，按边界计算，非官方数据）",
        "Area (km², computed from the boundaries, not official)",
    ),
    "info_targets": ("量化目标", "Quantified targets"),
    "info_projects": ("重点项目", "Key projects"),
    "info_centre": ("中心", "Centre"),
    "info_data_version": ("数据版本", "Data version"),
    # targets, projects
    "targets_title": ("{plan}：{n} 个量化目标", "{plan}: {n} quantified targets"),
    "targets_columns": (
        "编号|目标|范围|目标值|目标年份|基期值|规划章节",
        "id|target|scope|target value|year|baseline|plan section",
    ),
    "projects_title": ("{plan}：{n} 个重点项目", "{plan}: {n} key projects"),
    "projects_columns": (
        "编号|项目|类别|推进方式|涉及区县|规划章节",
        "id|project|type|what the plan asks|units|plan section",
    ),
    # validate
    "valid": ("{path}：数据集有效", "{path}: valid"),
    "problems_found": (
        "发现 {n} 个问题（{causes} 个根本原因）",
        "{n} problem(s) found ({causes} root cause(s))",
    ),
    "problem_rows": ("（共 {n} 行：{rows}）", " ({n} rows: {rows})"),
    "problem_rows_more": ("（共 {n} 行：{rows} 等）", " ({n} rows: {rows} …)"),
    "problem_knock_on": (
        "另有 {n} 个问题由上述问题引起，已略去",
        "{n} more problem(s) follow from the ones above and are not listed",
    ),
    # import, export
    "imported": (
        "已导入 {n} 条监测数据（{file}，批次 {batch}）",
        "Imported {n} observation(s) from {file} (batch {batch})",
    ),
    "submitted": (
        "已提交 {n} 条监测数据待审核（{file}，批次 {batch}）",
        "Submitted {n} observation(s) from {file} for review (batch {batch})",
    ),
    "nothing_imported": ("未导入任何数据", "nothing was imported"),
    "user_disabled": ("--as {user}：该用户已停用", "--as {user}: the user is disabled"),
    "import_progress": ("写入 {file}", "writing {file}"),
    "import_rows": (
        "进度：已写入 {done}/{total} 行（尚未提交）",
        "progress: {done}/{total} rows written (not committed yet)",
    ),
    "export_suffix": (
        "--out {path} 的扩展名无法识别；请用 --format 指定（geojson、csv、xlsx、geoparquet）",
        "--out {path} has no known suffix; pass --format (geojson, csv, xlsx, geoparquet)",
    ),
    "export_no_geometry": (
        "{what} 没有几何数据：请导出为 csv 或 xlsx",
        "{what} has no geometry: export it as csv or xlsx",
    ),
    "exported": (
        "已将 {n} 条{what}写入 {path}（{fmt}）",
        "Wrote {n} {what} to {path} ({fmt})",
    ),
    "what_units": ("区县", "units"),
    "what_targets": ("目标", "targets"),
    "what_projects": ("项目", "projects"),
    "what_observations": ("监测数据", "observations"),
    # evaluate, observations
    "evaluate_title": ("规划目标评估", "Plan target evaluation"),
    "evaluate_columns": (
        "目标|状态|最新值|进度|目标年预测值|判定理由",
        "target|status|latest|progress|projected|reason",
    ),
    "obs_title": (
        "监测数据：{n} 条，其中官方来源 {official} 条{share}",
        "Observations: {n}, from official sources {official}{share}",
    ),
    "source_kind_official_statistics": ("统计部门发布", "statistics bureau"),
    "source_kind_government_document": ("政府文件", "government document"),
    "source_kind_official_media": ("官方媒体转述", "official media"),
    "source_kind_secondary": ("其他来源", "secondary source"),
    "source_kind_unrecorded": ("未记录来源类别", "kind not recorded"),
    "obs_columns": (
        "指标|范围|年份|数值|来源|是否计入",
        "indicator|scope|year|value|source|counted",
    ),
    "superseded": ("（已被替代）", " (superseded)"),
    # access, scenarios, network
    "od_line": (
        "{a} → {b}（情景 {scenario}，模型值）：道路 {road} 分钟，轨道 {rail} 分钟；最快 {fastest} 分钟（{mode}）",
        "{a} → {b} ({scenario}, modelled): road {road} min, rail {rail} min; fastest {fastest} min by {mode}",
    ),
    "od_leg": (
        "  {name}　{mode}　{minutes} 分钟　{kind}",
        "  {name}  {mode}  {minutes} min  {kind}",
    ),
    "od_published": (
        "公开数据：{a} → {b} {minutes} 分钟（{mode}，{kind}，{date}）{source}",
        "published: {a} → {b} {minutes} min ({mode}, {kind}, {date}) {source}",
    ),
    "unknown_scenario": (
        "未知的情景 {scenario}；可用情景：{known}",
        "unknown scenario {scenario}; known: {known}",
    ),
    "bad_level": (
        "--level 为 {value}，应为 units（区县驻地）或 zones（乡镇街道）",
        "`--level` was {value} but is expected to be 'units' or 'zones'",
    ),
    "bad_parquet": (
        "--out 必须以 .parquet 结尾，实际为 {path}",
        "`--out` must end in .parquet, got {path}",
    ),
    "bad_minutes": (
        "--minutes 为 {value}，应在 (0, 600] 范围内",
        "`--minutes` was {value} but is expected in (0, 600]",
    ),
    "local_cluster": ("本机 Dask 集群", "a local Dask cluster"),
    "rows_written": ("已将 {n} 行写入 {path}", "Wrote {n} rows to {path}"),
    "scenario_line": (
        "{id}　{year} 年　基准情景：{base}　{n} 项变更　{name}",
        "{id}  {year}  base: {base}  {n} modification(s)  {name}",
    ),
    "compare_line": (
        "{code} {name}：{a} → {b} 分钟，变化 {delta}",
        "{code} {name}: {a} → {b} min, change {delta}",
    ),
    "compare_total": (
        "60 分钟内区县数：{a} {na} 个，{b} {nb} 个",
        "units within 60 min: {a} {na}, {b} {nb}",
    ),
    "file_missing": ("{option} {path} 不存在", "{option} {path} does not exist"),
    "network_written": (
        "已将 {nodes} 个节点和 {links} 条路段写入 {path}",
        "Wrote {nodes} nodes and {links} links to {path}",
    ),
    "network_contracted": (
        "已编译路网并构建收缩层次：{nodes} 个节点、{arcs} 条弧段",
        "Contracted a graph of {nodes} nodes and {arcs} arcs",
    ),
    # users, review, audit
    "passwords_differ": ("两次输入的密码不一致", "the two passwords differ"),
    "password_prompt": ("密码：", "password: "),
    "password_again": ("再次输入：", "again: "),
    "no_stdin": ("--password-stdin：标准输入为空", "--password-stdin: nothing on standard input"),
    "user_added": ("已添加{role} {name}{where}", "Added {role} {name}{where}"),
    "user_for_unit": ("（{unit}）", " for {unit}"),
    "users_title": ("{n} 个用户", "{n} user(s)"),
    "users_columns": (
        "用户名|角色|区县|已停用|创建时间|创建人",
        "name|role|unit|disabled|created at|created by",
    ),
    "user_disabled_done": ("已停用 {name}", "Disabled {name}"),
    "user_enabled_done": ("已启用 {name}", "Enabled {name}"),
    "password_changed": ("已修改 {name} 的密码", "Password of {name} changed"),
    "token_made": (
        "{name} 的令牌 {prefix}…（有效期至 {expires}）：",
        "Token {prefix}… for {name} (expires {expires}):",
    ),
    "tokens_title": ("{name} 的 {n} 个 API 令牌", "{n} API token(s) of {name}"),
    "tokens_columns": (
        "编号|用途|前缀|创建时间|到期时间|撤销时间",
        "id|label|prefix|created at|expires at|revoked at",
    ),
    "token_revoked": ("已撤销 API 令牌 {id}", "Revoked API token {id}"),
    "pending_title": ("{n} 批报送数据待审核", "{n} submission(s) waiting for review"),
    "pending_columns": (
        "批次|报送人|报送时间|待审核条数|范围|说明",
        "batch|submitted by|submitted at|pending|scopes|note",
    ),
    "not_reviewer": (
        "--as {user} 不是已启用的审核员或管理员",
        "--as {user} is not an enabled reviewer or administrator",
    ),
    "accepted_batch": (
        "已通过批次 {batch} 的 {n} 条监测数据",
        "Accepted {n} observation(s) of batch {batch}",
    ),
    "rejected_batch": (
        "已退回批次 {batch} 的 {n} 条监测数据",
        "Rejected {n} observation(s) of batch {batch}",
    ),
    "audit_title": ("审计日志：{n} 条记录", "audit log: {n} entries"),
    "audit_columns": (
        "编号|时间|操作人|操作|对象|来源|校验码",
        "id|at|actor|action|entity|origin|hash",
    ),
    "audit_written": ("已写入 {path}（链尾校验码 {head}）", "Wrote {path} (head hash {head})"),
    "audit_intact": (
        "审计日志完整：{n} 条记录，链尾校验码 {head}",
        "audit log intact: {n} entries, head hash {head}",
    ),
    "audit_tampered": ("已被篡改：{problem}", "TAMPERED: {problem}"),
    "role_admin": ("管理员", "administrator"),
    "role_officer": ("数据报送员", "data officer"),
    "role_reviewer": ("审核员", "reviewer"),
    "role_viewer": ("查看者", "viewer"),
    # serve
    "no_dashboard": (
        "本安装缺少一张图网页文件（需在 web/ 目录构建）",
        "the dashboard files are missing from this installation (build them in web/)",
    ),
    "cannot_listen": (
        "无法在 {host}:{port} 上监听：{detail}",
        "cannot listen on {host}:{port}: {detail}",
    ),
    "unknown_host": ("未知主机（{detail}）", "unknown host ({detail})"),
    "dashboard_at": ("metrocircle 一张图：{url}", "metrocircle dashboard: {url}"),
    "api_docs_at": (
        "接口文档：{url}docs　·　OpenAPI：{url}openapi.json",
        "API documentation: {url}docs  ·  OpenAPI: {url}openapi.json",
    ),
    "osm_dataset_written": (
        "已写入数据集 {path}：{nodes} 个节点、{links} 条路段（道路 {roads}，轨道 {rail}）；"
        "{seats} 个区县驻地和 {zones} 个分区已吸附到路网，驻地最远 {snap} 米；"
        "用 --dataset {path} 加载",
        "Wrote the dataset {path}: {nodes} nodes, {links} links ({roads} road, {rail} rail); "
        "{seats} unit seats and {zones} zones snapped to the roads, the farthest seat {snap} m "
        "away; load it with --dataset {path}",
    ),
    "osm_tables_cached": (
        "道路表取自缓存（同一 PBF 文件的 SHA-256）",
        "road tables served from the cache (same PBF file, by SHA-256)",
    ),
}

_COL: dict[str, tuple[str, str]] = {
    # column headings of `metrocircle export --headers zh|en`
    "code": ("区县代码", "Unit code"),
    "id": ("编号", "ID"),
    "name_zh": ("中文名称", "Chinese name"),
    "name_en": ("英文名称", "English name"),
    "parent": ("上级", "Parent"),
    "level": ("层级", "Level"),
    "roles": ("功能定位", "Roles"),
    "population_2020": ("常住人口（2020年，人）", "Resident population (2020, persons)"),
    "urban_population_2020": (
        "城镇常住人口（2020年，人）",
        "Urban resident population (2020, persons)",
    ),
    "urbanisation_rate_2020_pct": ("城镇化率（2020年，%）", "Urbanisation rate (2020, %)"),
    "seat_name_zh": ("政府驻地", "Seat of government"),
    "seat_lon": ("驻地经度", "Seat longitude"),
    "seat_lat": ("驻地纬度", "Seat latitude"),
    "area_km2_computed": ("面积（平方公里，按边界计算）", "Area (km², from the boundary)"),
    "notes": ("备注", "Notes"),
    "indicator": ("指标", "Indicator"),
    "scope": ("范围", "Scope"),
    "unit": ("计量单位", "Unit of measure"),
    "direction": ("方向", "Direction"),
    "baseline_value": ("基期值", "Baseline value"),
    "baseline_year": ("基期年份", "Baseline year"),
    "target_value": ("目标值", "Target value"),
    "target_year": ("目标年份", "Target year"),
    "chapter": ("规划章节", "Plan chapter"),
    "source_quote": ("规划原文", "Plan text"),
    "computed_by": ("计算方法", "Computed by"),
    "type": ("类型", "Type"),
    "units": ("涉及区县", "Units"),
    "status": ("状态", "Status"),
    "in_service_year": ("建成年份", "Year in service"),
    "network_ref": ("路网要素", "Network elements"),
    "period": ("年份", "Year"),
    "value": ("数值", "Value"),
    "source": ("来源", "Source"),
    "source_url": ("来源网址", "Source URL"),
    "submitted_by": ("报送人", "Submitted by"),
    "submitted_at": ("报送时间", "Submitted at"),
    "batch_id": ("批次", "Batch"),
    "reviewed_by": ("审核人", "Reviewed by"),
    "reviewed_at": ("审核时间", "Reviewed at"),
    "review_reason": ("审核意见", "Review note"),
    "source_kind": ("来源类别", "Source kind"),
    "publisher": ("发布机构", "Publisher"),
    "publication": ("出版物", "Publication"),
    "statement_zh": ("原文表述", "Statement (Chinese)"),
    "published_date": ("发布日期", "Published"),
}

_FLOOD: dict[str, tuple[str, str]] = {
    "stations_header": (
        "站点\t河流\t警戒水位(米)\t保证水位(米)\t高程基面",
        "Station\tRiver\tWarning level (m)\tGuarantee level (m)\tDatum",
    ),
    "no_warning": (
        "无预警：{n} 个站点的最新水位均未达到预警条件。",
        "No warning: the latest level of each of {n} station(s) meets no warning criterion.",
    ),
    "no_readings": (
        "库中尚无水位数据；请先用 metrocircle flood import 导入。",
        "The store holds no water levels yet; import some with metrocircle flood import.",
    ),
    "grade.blue": ("蓝色", "Blue"),
    "grade.yellow": ("黄色", "Yellow"),
    "grade.orange": ("橙色", "Orange"),
    "grade.red": ("红色", "Red"),
    "metres": ("{v} 米", "{v} m"),
    "above": ("超警戒 {v} 米", "{v} m above warning"),
    "below": ("低于警戒 {v} 米", "{v} m below warning"),
    "notify": ("通知：{who}", "notify: {who}"),
    "downstream": (
        "下游 {name}：约 {hours} 小时后（参数化估算），通知 {who}",
        "downstream {name}: in about {hours} h (parameterised estimate), notify {who}",
    ),
    "townships": (
        "沿岸乡镇（河段 {km} 公里内，{geometry}）：{items}",
        "Riverside townships (within {km} km of the reach, {geometry}): {items}",
    ),
    "geometry.schematic": ("示意河段：站点连线", "schematic reach: station-to-station line"),
    "projects": (
        "通知区县内的港口、航道、桥隧、枢纽类重点项目：{items}",
        "Key projects (ports, waterways, bridges, tunnels, hubs) in the notified units: {items}",
    ),
    "imported": (
        "已导入 {n} 条水位记录（{file}，批次 {batch}）",
        "Imported {n} water-level reading(s) from {file} (batch {batch})",
    ),
    "file_or_store": (
        "请给出水位文件，或使用 --from-store（二者只能选一）。",
        "Give a water-level file or --from-store (one of the two).",
    ),
    "no_stations": (
        "数据集 {dataset} 没有水文站点。",
        "Dataset {dataset} has no flood gauge stations.",
    ),
    "more_townships": ("等 {n} 个", "and {n} more"),
}

_FARES: dict[str, tuple[str, str]] = {
    "no_data": ("暂无数据", "no data"),
    "yuan": ("{v} 元", "¥{v}"),
    "od_head": (
        "{a} → {b}（情景 {scenario}，模型值）",
        "{a} → {b} (scenario {scenario}, modelled)",
    ),
    "od_no_rail": (
        "该情景下两地驻地之间没有需计费的轨道公共交通出行（无轨道线路或仅为步行、公交接驳）。",
        "In this scenario no priced rail trip joins the two seats (no rail line, or only walking and bus feeders).",
    ),
    "od_minutes": ("公共交通出行时间：{m} 分钟", "Public-transport time: {m} min"),
    "od_separate": ("分段计费（现行票价）：{v}", "Separate fares (today's, by operator): {v}"),
    "od_integrated": ("{scheme}：{v}", "{scheme}: {v}"),
    "od_monthly": (
        "每月通勤（22 个工作日往返）：分段 {sep}，一票式 {integ}",
        "Monthly commute (22 working days, return): separate {sep}, integrated {integ}",
    ),
    "od_unpriced": (
        "无公开票价的线路（国铁等）：{items}",
        "Lines without a published fare (national railway etc.): {items}",
    ),
    "commute_unit": ("区县", "Unit"),
    "commute_minutes": ("轨道出行(分钟)", "Rail trip (min)"),
    "commute_monthly": ("每月·{scheme}", "Monthly, {scheme}"),
    "separate": ("分段计费", "separate fares"),
}

_PROBLEM: dict[str, tuple[str, str]] = {
    # what `metrocircle validate` and the importers say about one line of a file; the library
    # writes the English form, metrocircle.problems reads it back into this key and its values
    "file_not_found": ("文件不存在", "file not found"),
    "path_missing": ("文件 {path} 不存在", "{path} does not exist"),
    "entry_missing": ("缺少必需的文件条目", "required file entry is missing"),
    "manifest_missing": ("缺少 manifest.toml 文件", "manifest.toml not found"),
    "invalid_toml": ("TOML 格式错误：{detail}", "invalid TOML: {detail}"),
    "invalid_json": ("JSON 格式错误：{detail}", "invalid JSON: {detail}"),
    "not_feature_collection": ("不是 GeoJSON 要素集合", "not a GeoJSON FeatureCollection"),
    "wrong_crs": (
        "坐标系应为 WGS84（EPSG:4326），实际为 {crs}",
        "expected WGS84 (EPSG:4326), found {crs}",
    ),
    "not_degrees": (
        "坐标不是经纬度（EPSG:4326）",
        "coordinates are not longitude/latitude degrees (EPSG:4326)",
    ),
    "unreadable_geometry": ("几何数据无法读取：{detail}", "unreadable geometry: {detail}"),
    "invalid_polygon": ("多边形无效", "invalid polygon"),
    "no_boundary": ("区县 {code} 没有边界", "no boundary for unit {code}"),
    "unknown_unit_code": ("未知的区县代码 {code}", "unknown unit code {code}"),
    "sum_nothing": (
        "{file}：{n} 个问题，未导入任何数据",
        "{file}: {n} problem(s); nothing was imported",
    ),
    "sum_duplicates": (
        "{file}：{n} 条重复数据，未导入任何数据",
        "{file}: {n} duplicate(s); nothing was imported",
    ),
    "sum_readings": (
        "{file}：{n} 条水位记录已在库中，未导入任何数据",
        "{file}: {n} reading(s) already stored; nothing was imported",
    ),
    "sum_dataset": ("数据集 {path} 无效：{n} 个问题", "dataset {path} is invalid: {n} problem(s)"),
    "sum_obs_file": ("{file}：监测数据文件无效", "{file}: invalid observations file"),
    "sum_network": ("{path} 的路网文件无效", "network files of {path} are invalid"),
    "sum_problems": ("{file}：{n} 个问题", "{file}: {n} problem(s)"),
    "unknown_unit_or_scope": ("未知的区县代码或范围 {code}", "unknown unit code or scope {code}"),
    "unknown_node": ("未知的节点 {node}", "unknown node {node}"),
    "duplicate_code": (
        "区县代码 {code} 重复（首次出现在第 {line} 行）",
        "duplicate code {code} (first on line {line})",
    ),
    "duplicate_id": (
        "编号 {id} 重复（首次出现在第 {line} 行）",
        "duplicate id {id} (first on line {line})",
    ),
    "duplicate_target": ("目标编号 {id} 重复", "duplicate target id {id}"),
    "duplicate_project": ("项目编号 {id} 重复", "duplicate project id {id}"),
    "bad_parent": ("上级 {code} 不是本数据集的区县", "parent {code} is not a unit of this dataset"),
    "urban_exceeds": (
        "城镇人口大于常住人口（population_2020）",
        "exceeds population_2020",
    ),
    "seat_pair": (
        "驻地经度和纬度须同时填写或同时留空",
        "seat_lon and seat_lat must both be given or both empty",
    ),
    "seat_outside": (
        "{code} {name} 的驻地（{lon}, {lat}）位于 {file} 中该区县边界之外（约 {km} 公里）：驻地坐标或边界有误",
        "the seat of {code} {name} ({lon}, {lat}) lies outside the unit's boundary in {file} (about {km} km away): either the seat coordinates or the boundary is wrong",
    ),
    "baseline_pair": (
        "基期值和基期年份须同时填写",
        "baseline_value and baseline_year go together",
    ),
    "after_baseline": ("必须晚于基期年份", "must be after baseline_year"),
    "extra_fields": ("字段数多于表头", "more fields than the header has"),
    "column_missing": ("缺少必需的列", "required column is missing"),
    "unknown_column": ("未知的列", "unknown column"),
    "field_required": ("必须填写", "Field required"),
    "not_number": ("不是数字：{value}", "not a number: {value}"),
    "not_year": ("不是年份：{value}", "not a year: {value}"),
    "needs_source": ("每条监测数据都须注明来源", "every observation needs its source"),
    "unknown_measure": ("未知的计量单位 {unit}", "unknown unit of measure {unit}"),
    "bad_scope": (
        "范围应为 region、6 位区县代码或 group:<编号>，实际为 {scope}",
        "not 'region', a 6-digit code or 'group:<id>': {scope}",
    ),
    "unknown_source_kind": (
        "未知的来源类型 {kind}；应为以下之一：{kinds}",
        "unknown source kind {kind}; expected one of {kinds}",
    ),
    "pyd_number": ("应为数字", "Input should be a valid number"),
    "pyd_integer": ("应为整数", "Input should be a valid integer"),
    "pyd_ge": ("应大于或等于 {v}", "Input should be greater than or equal to {v}"),
    "pyd_gt": ("应大于 {v}", "Input should be greater than {v}"),
    "pyd_le": ("应小于或等于 {v}", "Input should be less than or equal to {v}"),
    "pyd_short": ("不能为空", "String should have at least 1 character"),
    "pyd_choice": ("应为以下之一：{choices}", "Input should be {choices}"),
    "unknown_roles": (
        "未知的功能定位 {bad}；可用：{known}",
        "unknown role(s) {bad}; expected some of {known}",
    ),
    "finite": ("必须是有限数值", "must be a finite number"),
    "bad_codes": ("不是 6 位 GB/T 2260 代码：{bad}", "not 6-digit GB/T 2260 codes: {bad}"),
    "not_one_of": ("{value} 不在可选值中：{choices}", "{value} is not one of {choices}"),
}

# coverage, siting and sector commands (cli/coverage.py, cli/sectors.py); keys carry their prefix
_RESULTS: dict[str, tuple[str, str]] = {
    "coverage.warning": ("警告：{note}", "warning: {note}"),
    "coverage.progress": ("计算网络出行时间…", "computing network times…"),
    "coverage.rescue_head": (
        "情景 {scenario} · {n} 处设施 · 阈值 {minutes} 分钟",
        "scenario {scenario} · {n} facilities · threshold {minutes} min",
    ),
    "coverage.rescue_columns": (
        "代码|名称|人口|覆盖人口|覆盖率_%",
        "code|name|population|covered|share_%",
    ),
    "coverage.area": ("全域", "area"),
    "coverage.outside": ("{n} 个乡镇在救援圈外", "{n} zone(s) outside the circle"),
    "coverage.nth_head": (
        "至第 {n} 近设施的时间（共 {facilities} 处）· 情景 {scenario}",
        "time to facility #{n} of {facilities} · scenario {scenario}",
    ),
    "coverage.nth_columns": (
        "代码|名称|最长_分钟|平均_分钟|不可达乡镇",
        "code|name|max_min|mean_min|unreached",
    ),
    "coverage.fca_head": (
        "两步移动搜索法 · 每 {per} 人 {unit} · {n} 处设施 · 情景 {scenario}",
        "2SFCA · {unit} per {per} people · {n} facilities · scenario {scenario}",
    ),
    "coverage.fca_columns": ("代码|名称", "code|name"),
    "coverage.site_progress": ("用 HiGHS 求解 {model}…", "solving {model} with HiGHS…"),
    "coverage.site_head": (
        "{model} · 情景 {scenario} · 求解器 {solver}",
        "{model} · scenario {scenario} · solver {solver}",
    ),
    "coverage.site_objective": ("目标值 {objective}", "objective {objective}"),
    "coverage.site_mean": (" · 平均 {minutes} 分钟", " · mean {minutes} min"),
    "coverage.site_service": (
        "服务时间 {minutes} 分钟 · 覆盖人口 {covered}",
        "service time {minutes} min · covered population {covered}",
    ),
    "coverage.site_columns": ("编号|名称|现有|经度|纬度", "id|name|existing|lon|lat"),
    "coverage.existing": ("现有", "yes"),
    "coverage.new": ("新增", "new"),
    "sectors.aqi_head": (
        "AQI {aqi}  {category}（{standard}，{report}）",
        "AQI {aqi}  {category} ({standard}, {report})",
    ),
    "sectors.primary": ("首要污染物：{items}", "primary: {items}"),
    "sectors.no_air_episode": ("无区域联合重污染过程", "no joint heavy-pollution episode"),
    "sectors.water_share": (
        "达到或优于 III 类的断面比例：{share}",
        "share at class III or better: {share}",
    ),
    "sectors.capacity_instant": ("瞬时承载量：{n} 人", "instantaneous capacity: {n} visitors"),
    "sectors.capacity_daily": ("日承载量：{n} 人", "daily capacity: {n} visitors"),
    "sectors.no_crowd_warning": ("无客流预警", "no crowd warning"),
    "sectors.no_data": ("—", "—"),
}

CATALOGUE: dict[str, tuple[str, str]] = {
    **{f"report.{k}": v for k, v in _REPORT.items()},
    **{f"reason.{k}": v for k, v in _REASON.items()},
    **{f"note.{k}": v for k, v in _NOTE.items()},
    **{f"cli.{k}": v for k, v in _CLI.items()},
    **{f"col.{k}": v for k, v in _COL.items()},
    **{f"flood.{k}": v for k, v in _FLOOD.items()},
    **{f"fares.{k}": v for k, v in _FARES.items()},
    **{f"problem.{k}": v for k, v in _PROBLEM.items()},
    **_RESULTS,
}
"""Every message: key → (Chinese, English)."""


def text(key: str, lang: str, **kw: object) -> str:
    """The message ``key`` in ``lang`` (``"zh"`` or ``"en"``), formatted with ``kw``.

    Raises
    ------
    KeyError
        For a key the catalogue does not hold.
    ValueError
        For a language other than ``zh`` or ``en``.
    """
    if lang not in LANGS:
        msg = f"`lang` was {lang!r} but is expected to be one of {list(LANGS)}"
        raise ValueError(msg)
    zh, en = CATALOGUE[key]
    s = zh if lang == "zh" else en
    return s.format(**kw) if kw else s


def lang_or_default(lang: str | None, *, env: Mapping[str, str] | None = None) -> str:
    """``lang`` if given, else ``METROCIRCLE_LANG`` from the environment, else Chinese."""
    if lang:
        return lang
    value = (env if env is not None else os.environ).get("METROCIRCLE_LANG", "").strip().lower()
    return value if value in LANGS else "zh"
