"""Coverage, siting and sector commands (keys carry their own prefix)."""

from __future__ import annotations

# coverage, siting and sector commands (cli/coverage.py, cli/sectors.py); keys carry their prefix
RESULTS: dict[str, tuple[str, str]] = {
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
