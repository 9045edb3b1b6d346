"""Problems in input files, as validate and the importers say them (keys ``problem.*``)."""

from __future__ import annotations

PROBLEM: dict[str, tuple[str, str]] = {
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
