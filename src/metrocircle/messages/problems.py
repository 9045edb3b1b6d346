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
        "the seat of {code} {name_en} ({name}), at {lon}, {lat}, lies outside the unit's boundary in {file} (about {km} km away): either the seat coordinates or the boundary is wrong",
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
    # observations files (store/observations_file.py, store/db.py): matched from their English
    "obs_unknown_measure_list": (
        "未知的计量单位 {unit}；可用的计量单位：{units}",
        "unknown unit of measure {unit}; expected one of {units}",
    ),
    "obs_wrong_measure": (
        "指标 {indicator} 的计量单位应为 {expected}，实际为 {unit}",
        "wrong unit of measure {unit} for {indicator}: expected {expected}",
    ),
    "obs_unknown_indicator": ("未知的指标 {indicator}", "unknown indicator {indicator}"),
    "obs_is_empty": ("不能为空", "is empty"),
    "obs_nul": ("含有空字符（NUL）", "contains a NUL byte"),
    "obs_too_long": ("超过 {n} KiB", "is longer than {n} KiB"),
    "obs_year_range": ("年份 {year} 超出范围（1949–2100）", "year {year} out of range 1949–2100"),
    "obs_not_year4": ("不是四位数年份：{value}", "not a year (four digits): {value}"),
    "obs_between": (
        "{value} 超出计量单位{unit}的有效范围：应在 {lo} 与 {hi} 之间",
        "{value} is out of range for unit {unit}: must be between {lo} and {hi}",
    ),
    "obs_at_least": (
        "{value} 超出计量单位{unit}的有效范围：应不小于 {lo}",
        "{value} is out of range for unit {unit}: must be ≥ {lo}",
    ),
    "obs_at_most": (
        "{value} 超出计量单位{unit}的有效范围：应不大于 {hi}",
        "{value} is out of range for unit {unit}: must be ≤ {hi}",
    ),
    "obs_any": (
        "{value} 超出计量单位{unit}的有效范围",
        "{value} is out of range for unit {unit}: any value",
    ),
    "obs_official_needs": (
        "官方来源（{kind}）须注明 {field}",
        "an official source ({kind}) must name its {field}",
    ),
    "obs_bad_date": (
        "发布日期应为 YYYY、YYYY-MM 或 YYYY-MM-DD：{value}",
        "not YYYY, YYYY-MM or YYYY-MM-DD: {value}",
    ),
    "obs_no_rows": ("文件中没有监测数据行", "the file has no observation rows"),
    "obs_dup_line": (
        "与第 {line} 行重复（指标、范围、时期和来源均相同）",
        "duplicate of line {line} (same indicator, scope, period, source)",
    ),
    "obs_dup_stored": (
        "与库中已有的监测数据重复（{a}，{b}，{c}，来源相同）",
        "duplicate of a stored observation ({a}, {b}, {c}, same source)",
    ),
    "obs_symlink": ("是符号链接；请给出文件本身", "is a symbolic link; give the file itself"),
    "obs_cannot_open": ("无法打开文件：{detail}", "cannot open the file: {detail}"),
    "obs_not_regular": (
        "不是普通文件（而是文件夹、管道或设备）",
        "not a regular file (a folder, pipe or device)",
    ),
    "obs_not_utf8": (
        "不是 UTF-8 文本（也不是 GBK 中文文本）；请在 Excel 中另存为“CSV UTF-8”",
        "not UTF-8 text (nor GBK Chinese text); save it as “CSV UTF-8” in Excel",
    ),
    "obs_encoding_midway": (
        "文件中途改变了编码（{detail}）",
        "the file changes encoding midway ({detail})",
    ),
    "obs_not_utf8_here": (
        "此处不是 UTF-8 文本；若 Excel 以 GBK 保存，请另存为“CSV UTF-8”（{detail}）",
        "not UTF-8 text here; if Excel saved it as GBK, save it as “CSV UTF-8” ({detail})",
    ),
    "obs_field_too_long": ("某个字段超过 {n} KiB", "a field is longer than {n} KiB"),
    "obs_malformed_csv": ("CSV 格式错误：{detail}", "malformed CSV: {detail}"),
    "obs_file_type": (
        "不支持的文件类型 {suffix}；请使用 .csv 或 .xlsx",
        "unsupported file type {suffix}; use .csv or .xlsx",
    ),
    "obs_no_header": ("文件没有表头行", "the file has no header row"),
    "obs_workbook": ("工作簿无法读取：{detail}", "unreadable workbook: {detail}"),
    "obs_url_scheme": (
        "须为 http:// 或 https:// 地址，而不是 {value}",
        "must be an http:// or https:// address, not {value}",
    ),
    "obs_url_spaces": (
        "不能含有空格或控制字符",
        "must not contain spaces or control characters",
    ),
    # a loader's text the catalogue does not know yet: the chosen language frames the original
    "unrecognised": ("数据不符合要求（原始说明：{detail}）", "{detail}"),
}
