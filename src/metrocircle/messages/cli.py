"""Command-line messages (keys ``cli.*``)."""

from __future__ import annotations

CLI: dict[str, tuple[str, str]] = {
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
        "{slowest} {minutes} min; threshold for “basically achieved” (基本实现) {basic} → {verdict} (modelled)",
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
    # the all-node job (access opportunities)
    "in_process": ("本进程", "this process"),
    "opportunities_progress": (
        "计算各网络节点可达人口",
        "Computing the population within reach of every network node",
    ),
    "opportunities_summary": (
        "{n} 个网络节点：{minutes} 分钟内可达人口占全域估算人口的中位数为 {median}（模型推算，人口为乡镇估算值）",
        "{n} network nodes: the median share of the area's estimated population within {minutes} minutes is {median} (model result; township populations are estimates)",
    ),
    "bad_table_suffix": (
        "--out 必须以 .parquet 或 .csv 结尾，实际为 {path}",
        "`--out` must end in .parquet or .csv, got {path}",
    ),
    "bad_workers": (
        "--workers 为 {value}，应为不小于 1 的整数",
        "`--workers` was {value} but is expected to be an integer of at least 1",
    ),
}
