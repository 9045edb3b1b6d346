"""The flood command (keys ``flood.*``)."""

from __future__ import annotations

FLOOD: dict[str, tuple[str, str]] = {
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
