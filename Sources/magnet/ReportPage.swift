import MagnetCore

/// The self-contained HTML page of `magnet report`: styles and script inline, the study's data
/// as JSON in the page; nothing is fetched. The script renders every view from the data when
/// the page loads (docs/sweeps.md, "Report").
enum ReportPage {
    /// The page for `data` (the JSON text of ``StudyReport/json(view:trials:)``); with
    /// `live`, the page instead fetches that JSON from the URL path `live` every
    /// `intervalMS` and redraws (`magnet dashboard`).
    static func html(title: String, data: String?, live: String? = nil, intervalMS: Int = 2000) -> String {
        // `</` inside a script element would end it early.
        let embedded = data.map {
            "<script type=\"application/json\" id=\"report-data\">"
                + $0.replacingOccurrences(of: "</", with: "<\\/") + "</script>"
        } ?? ""
        let body = live.map {
            "<body data-live=\"\(MarkupText.escaped($0))\" data-interval=\"\(intervalMS)\">"
        } ?? "<body>"
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>magnet report: \(MarkupText.escaped(title))</title>
            <style>\(style)</style>
            </head>
            \(body)
            <header><h1 id="study-name"></h1><p id="study-status"></p><p id="study-goal"></p></header>
            <section id="tradeoff"><h2>Trade-off</h2>
            <p class="controls"><label>x <select id="x-metric"></select></label>
            <label>y <select id="y-metric"></select></label>
            <label><input type="checkbox" id="log-scale"> log scales</label>
            <span class="legend"><span class="dot"></span> complete <span class="dot front"></span> Pareto front
            <span class="cross">×</span> infeasible</span></p>
            <svg id="pareto" width="760" height="460" role="img"></svg>
            <div id="tooltip" hidden></div></section>
            <section id="cluster-section" hidden><h2>Coordinator</h2><p id="cluster-summary"></p>
            <table id="workers"></table><h3>Leases</h3><table id="leases"></table></section>
            <section id="progress-section"><h2>Best so far</h2>
            <svg id="progress" width="760" height="240"></svg></section>
            <section id="best-section"><h2>Best designs: energy per layer, by level</h2>
            <div id="breakdowns"></div></section>
            <section id="importance-section"><h2>Which parameters matter</h2>
            <p id="importance-note"></p><table id="importance"><tbody></tbody></table></section>
            <section id="trials-section"><h2>Trials</h2>
            <p class="controls"><input id="filter" size="40" placeholder="filter: any text, e.g. complete or OS-LWS">
            <span id="trial-count"></span></p>
            <table id="trials"><thead></thead><tbody></tbody></table>
            <p class="controls"><button id="previous">previous</button> <span id="page"></span>
            <button id="next">next</button></p></section>
            <section><h2>Spec</h2><pre id="spec"></pre></section>
            \(embedded)
            <script>\(script)</script>
            </body>
            </html>

            """
    }

    static let style = """
        body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em auto; max-width: 1100px; color: #222; }
        h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 1.6em; }
        table { border-collapse: collapse; } td, th { padding: 2px 8px; text-align: right; white-space: nowrap; }
        th { cursor: pointer; background: #f4f4f4; position: sticky; top: 0; }
        tbody tr:nth-child(even) { background: #fafafa; } tr.infeasible td { color: #b33; }
        tr.failed td { color: #888; } .controls { margin: 0.4em 0; }
        svg text { font-size: 11px; fill: #444; } .axis line, .axis path { stroke: #999; }
        circle.trial { fill: #4a7bd0; fill-opacity: 0.45; } circle.front { fill: #0b3d91; fill-opacity: 1; }
        path.infeasible { stroke: #c0392b; stroke-width: 1.5; } polyline.front { fill: none; stroke: #0b3d91; }
        polyline.best { fill: none; stroke: #0b3d91; stroke-width: 2; }
        #tooltip { position: absolute; background: #fff; border: 1px solid #999; padding: 4px 8px;
          font-size: 12px; pointer-events: none; box-shadow: 1px 1px 4px #0003; max-width: 420px; }
        .legend { margin-left: 1.5em; color: #555; } .dot { display: inline-block; width: 9px; height: 9px;
          border-radius: 5px; background: #4a7bd0; opacity: 0.6; } .dot.front { background: #0b3d91; opacity: 1; }
        .cross { color: #c0392b; font-weight: bold; } .bar { height: 12px; display: inline-block; }
        pre { background: #f6f6f6; padding: 0.8em; overflow: auto; max-height: 24em; }
        """

    static let script = #"""
        "use strict";
        const svgNS = "http://www.w3.org/2000/svg";
        const $ = (id) => document.getElementById(id);
        function node(tag, attributes, parent, text) {
          const element = tag === "svg" || ["circle", "path", "line", "polyline", "text", "g", "rect", "title"]
            .includes(tag) ? document.createElementNS(svgNS, tag) : document.createElement(tag);
          for (const [key, value] of Object.entries(attributes || {})) element.setAttribute(key, value);
          if (text !== undefined) element.textContent = text;
          if (parent) parent.appendChild(element);
          return element;
        }
        function format(value) {
          if (value === null || value === undefined || Number.isNaN(value)) return "–";
          if (typeof value !== "number") return String(value);
          const size = Math.abs(value);
          if (size !== 0 && (size >= 1e6 || size < 1e-3)) return value.toExponential(3);
          return String(+value.toPrecision(5));
        }
        const palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
          "#9c755f", "#bab0ac", "#86bcb6", "#d37295"];
        let data = null, byNumber = new Map(), texts = new Map(), columns = [];
        let sortColumn = 0, sortSign = 1, page = 0;
        const better = (metric) => data.directions[metric] === "maximize" ? -1 : 1;

        function drawHeader() {
          const study = data.study;
          document.title = "magnet " + (data.live ? "dashboard" : "report") + ": " + study.name;
          $("study-name").textContent = study.name;
          const counts = Object.entries(study.counts).filter(([, n]) => n > 0).map(([s, n]) => n + " " + s);
          $("study-status").textContent = study.status + " · " + data.trials.length + " trials (" + counts.join(", ")
            + ") · magnet " + study.magnet_version
            + (data.live ? " · updated " + new Date().toLocaleTimeString() : "");
          $("study-goal").textContent = data.objectives.map((o) => o.direction + " " + o.metric).join(", ")
            + (data.constraints.length ? " · subject to " + data.constraints.join(", ") : "");
          $("spec").textContent = JSON.stringify(data.spec, null, 2);
        }

        // Trade-off plot: any two metrics, the front of the two, infeasible trials marked.
        function fillMetricMenus() {
          const defaults = [data.objectives[0] ? data.objectives[0].metric : data.metrics[0],
            data.objectives[1] ? data.objectives[1].metric
              : (data.metrics.includes("area_mm2") ? "area_mm2" : data.metrics[1])];
          ["x-metric", "y-metric"].forEach((id, index) => {
            const select = $(id), chosen = select.value;
            if (select.options.length === data.metrics.length) return;
            select.replaceChildren();
            for (const metric of data.metrics) node("option", { value: metric }, select, metric);
            select.value = data.metrics.includes(chosen) ? chosen : defaults[index];
          });
        }
        function describe(trial) {
          const params = Object.entries(trial.params).map(([k, v]) => k + "=" + v).join(" ");
          const metrics = data.objectives.map((o) => o.metric + " " + format(trial.metrics[o.metric])).join(", ");
          return "trial " + trial.n + " (" + trial.state + "): " + metrics + "\n" + params
            + (trial.note ? "\n" + trial.note : "");
        }
        function scale(values, low, high, log) {
          let min = Math.min(...values), max = Math.max(...values);
          if (log) { min = Math.log10(min); max = Math.log10(max); }
          if (min === max) { min -= 1; max += 1; }
          const span = max - min;
          const f = (v) => low + ((log ? Math.log10(v) : v) - min) / span * (high - low);
          f.ticks = [0, 0.25, 0.5, 0.75, 1].map((t) => { const v = min + t * span; return log ? Math.pow(10, v) : v; });
          return f;
        }
        function axes(svg, x, y, xLabel, yLabel, width, height) {
          const g = node("g", { class: "axis" }, svg);
          node("line", { x1: 60, y1: height - 40, x2: width - 10, y2: height - 40 }, g);
          node("line", { x1: 60, y1: 10, x2: 60, y2: height - 40 }, g);
          for (const v of x.ticks) node("text", { x: x(v), y: height - 24, "text-anchor": "middle" }, g, format(v));
          for (const v of y.ticks) node("text", { x: 56, y: y(v) + 4, "text-anchor": "end" }, g, format(v));
          node("text", { x: (width + 60) / 2, y: height - 6, "text-anchor": "middle" }, g, xLabel);
          node("text", { x: 14, y: height / 2, transform: "rotate(-90 14 " + height / 2 + ")",
            "text-anchor": "middle" }, g, yLabel);
        }
        function drawTradeoff() {
          const svg = $("pareto"), xm = $("x-metric").value, ym = $("y-metric").value, log = $("log-scale").checked;
          svg.replaceChildren();
          const width = +svg.getAttribute("width"), height = +svg.getAttribute("height");
          const points = data.trials.filter((t) => t.state !== "failed" && typeof t.metrics[xm] === "number"
            && typeof t.metrics[ym] === "number" && (!log || (t.metrics[xm] > 0 && t.metrics[ym] > 0)));
          if (points.length === 0) {
            node("text", { x: 80, y: 40 }, svg, "no trial has both " + xm + " and " + ym);
            return;
          }
          const x = scale(points.map((t) => t.metrics[xm]), 70, width - 20, log);
          const y = scale(points.map((t) => t.metrics[ym]), height - 50, 20, log);
          axes(svg, x, y, xm, ym, width, height);
          // The front of the two metrics among complete trials: sort on x, keep strict y records.
          const sx = better(xm), sy = better(ym);
          const complete = points.filter((t) => t.state === "complete")
            .sort((a, b) => sx * (a.metrics[xm] - b.metrics[xm]) || sy * (a.metrics[ym] - b.metrics[ym]));
          const front = new Set();
          let record = Infinity;
          for (const t of complete) {
            if (sy * t.metrics[ym] < record) { record = sy * t.metrics[ym]; front.add(t.n); }
          }
          const marks = node("g", {}, svg);
          for (const t of points) {
            const px = x(t.metrics[xm]).toFixed(1), py = y(t.metrics[ym]).toFixed(1);
            if (t.state === "infeasible") {
              node("path", { class: "infeasible trial-mark", "data-trial": t.n,
                d: "M" + (px - 3) + "," + (py - 3) + "l6,6m-6,0l6,-6" }, marks);
            } else {
              node("circle", { class: "trial trial-mark" + (front.has(t.n) ? " front" : ""), "data-trial": t.n,
                cx: px, cy: py, r: front.has(t.n) ? 4 : 3 }, marks);
            }
          }
          const line = complete.filter((t) => front.has(t.n))
            .map((t) => x(t.metrics[xm]).toFixed(1) + "," + y(t.metrics[ym]).toFixed(1)).join(" ");
          node("polyline", { class: "front", points: line }, svg);
        }

        // Best so far on the first objective, over trials in the order they finished.
        function drawProgress() {
          const svg = $("progress"), objective = data.objectives[0];
          svg.replaceChildren();
          if (!objective) return;
          const width = +svg.getAttribute("width"), height = +svg.getAttribute("height");
          const ordered = data.trials.filter((t) => t.order !== null).sort((a, b) => a.order - b.order);
          const sign = better(objective.metric);
          const steps = [];
          let best = null;
          ordered.forEach((t, index) => {
            const v = t.metrics[objective.metric];
            if (t.state === "complete" && typeof v === "number" && (best === null || sign * v < sign * best)) best = v;
            if (best !== null) steps.push([index + 1, best]);
          });
          if (steps.length === 0) { node("text", { x: 80, y: 40 }, svg, "no feasible trial yet"); return; }
          const x = scale(steps.map((s) => s[0]).concat([ordered.length]), 70, width - 20, false);
          const y = scale(steps.map((s) => s[1]), height - 50, 20, false);
          axes(svg, x, y, "trials finished", "best " + objective.metric, width, height);
          const points = [];
          steps.forEach(([n, v], i) => {
            if (i > 0) points.push(x(n).toFixed(1) + "," + y(steps[i - 1][1]).toFixed(1));
            points.push(x(n).toFixed(1) + "," + y(v).toFixed(1));
          });
          points.push(x(ordered.length).toFixed(1) + "," + y(steps[steps.length - 1][1]).toFixed(1));
          node("polyline", { class: "best", points: points.join(" ") }, svg);
        }

        // Best designs: each layer shape's energy (× its count in the network), stacked by level.
        function drawBreakdowns() {
          const host = $("breakdowns");
          host.replaceChildren();
          if (data.best.length === 0) { node("p", {}, host, "no feasible trial yet"); return; }
          for (const entry of data.best) {
            const box = node("div", { class: "breakdown" }, host);
            node("h3", {}, box, entry.objective + ": trial " + entry.trial);
            if (entry.error) { node("p", {}, box, "layers not re-evaluated: " + entry.error); continue; }
            const parts = [];
            for (const layer of entry.layers) {
              for (const part of Object.keys(layer.energy_by_part_pJ)) if (!parts.includes(part)) parts.push(part);
            }
            const legend = node("p", {}, box);
            parts.forEach((part, i) => {
              node("span", { class: "bar", style: "width:12px;background:" + palette[i % palette.length] }, legend);
              legend.appendChild(document.createTextNode(" " + part + "  "));
            });
            const totals = entry.layers.map((l) => l.count
              * Object.values(l.energy_by_part_pJ).reduce((a, b) => a + b, 0));
            const largest = Math.max(...totals);
            const table = node("table", { class: "layers" }, box);
            const head = node("tr", {}, node("thead", {}, table));
            for (const title of ["layer", "×", "energy (µJ)", "utilization", ""]) node("th", {}, head, title);
            const body = node("tbody", {}, table);
            entry.layers.forEach((layer, index) => {
              const row = node("tr", { class: "layer-row" }, body);
              node("td", { style: "text-align:left" }, row, layer.layer);
              node("td", {}, row, String(layer.count));
              node("td", {}, row, format(totals[index] / 1e6));
              node("td", {}, row, format(layer.utilization));
              const cell = node("td", { style: "text-align:left" }, row);
              parts.forEach((part, i) => {
                const pJ = layer.count * (layer.energy_by_part_pJ[part] || 0);
                node("span", { class: "bar part", title: part + ": " + format(pJ / 1e6) + " µJ",
                  style: "width:" + (pJ / largest * 420).toFixed(1) + "px;background:" + palette[i % palette.length] },
                  cell);
              });
            });
          }
        }

        // Parameter importance.
        function drawImportance() {
          const shares = data.importance.shares;
          $("importance-note").textContent = shares.length
            ? "Share of the variance of log " + data.importance.objective + " over the complete trials that each "
              + "parameter's values explain on their own (correlation ratio η²)."
            : "Not enough complete trials.";
          const body = $("importance").querySelector("tbody");
          body.replaceChildren();
          for (const share of shares) {
            const row = node("tr", {}, body);
            node("td", { style: "text-align:left" }, row, share.parameter);
            node("td", {}, row, format(share.share));
            node("span", { class: "bar", style: "width:" + (share.share * 300).toFixed(1) + "px;background:#4e79a7" },
              node("td", { style: "text-align:left" }, row));
          }
        }

        // Live only: the coordinator's workers, leases and throughput.
        function drawCluster() {
          const section = $("cluster-section");
          if (!data.cluster) { section.hidden = true; return; }
          section.hidden = false;
          const cluster = data.cluster;
          $("cluster-summary").textContent = cluster.error ? "coordinator: " + cluster.error
            : format(cluster.finished) + " finished, " + format(cluster.in_flight) + " in flight, "
              + format(cluster.queued) + " queued · " + format(cluster.trials_per_second) + " trials/s";
          for (const [id, rows, keys] of [["workers", cluster.workers || [],
            ["worker", "host", "slots", "running", "done", "last_heartbeat_s"]],
            ["leases", cluster.leases || [], ["trial", "attempt", "worker", "expires_in_s"]]]) {
            const table = $(id);
            table.replaceChildren();
            const head = node("tr", {}, node("thead", {}, table));
            for (const key of keys) node("th", {}, head, key.replaceAll("_", " "));
            const body = node("tbody", {}, table);
            for (const row of rows) {
              const tr = node("tr", { class: id.slice(0, -1) + "-row" }, body);
              for (const key of keys) node("td", {}, tr, format(row[key]));
            }
          }
        }

        // Trial table: sortable, filterable, a page at a time.
        function buildTable() {
          const objectiveMetrics = data.objectives.map((o) => o.metric);
          const extra = ["area_mm2"].filter((m) => !objectiveMetrics.includes(m) && data.metrics.includes(m));
          const titles = ["#", "state"].concat(data.parameters, objectiveMetrics, extra, ["note"]);
          if (columns.map((c) => c.title).join("\u0001") !== titles.join("\u0001")) {
            columns = [{ title: "#", value: (t) => t.n }, { title: "state", value: (t) => t.state }]
              .concat(data.parameters.map((p) => ({ title: p, value: (t) => t.params[p] })))
              .concat(objectiveMetrics.concat(extra).map((m) => ({ title: m, value: (t) => t.metrics[m] })))
              .concat([{ title: "note", value: (t) => t.note || "" }]);
            const head = $("trials").querySelector("thead");
            head.replaceChildren();
            const headRow = node("tr", {}, head);
            columns.forEach((column, index) => {
              const th = node("th", {}, headRow, column.title);
              th.addEventListener("click", () => {
                sortSign = sortColumn === index ? -sortSign : 1;
                sortColumn = index;
                refresh();
              });
            });
          }
          texts = new Map(data.trials.map((t) => [t.n, columns.map((c) => String(c.value(t))).join(" ")
            .toLowerCase()]));
        }
        function refresh() {
          const filter = $("filter").value.trim().toLowerCase();
          const shown = data.trials.filter((t) => !filter || texts.get(t.n).includes(filter));
          const value = columns[sortColumn].value;
          shown.sort((a, b) => {
            const va = value(a), vb = value(b);
            if (va === vb) return a.n - b.n;
            if (va === undefined || va === null) return 1;
            if (vb === undefined || vb === null) return -1;
            return sortSign * (typeof va === "number" && typeof vb === "number" ? va - vb
              : String(va).localeCompare(String(vb)));
          });
          const pageSize = 100, pages = Math.max(1, Math.ceil(shown.length / pageSize));
          page = Math.min(page, pages - 1);
          const body = $("trials").querySelector("tbody");
          body.replaceChildren();
          for (const trial of shown.slice(page * pageSize, (page + 1) * pageSize)) {
            const row = node("tr", { class: "trial-row " + trial.state, "data-trial": trial.n }, body);
            for (const column of columns) {
              const value = column.value(trial);
              node("td", column.title === "note" ? { style: "text-align:left" } : {}, row,
                typeof value === "number" ? format(value) : (value === undefined ? "–" : String(value)));
            }
          }
          $("trial-count").textContent = shown.length + " of " + data.trials.length + " trials";
          $("page").textContent = "page " + (page + 1) + " of " + pages;
        }

        function render(next) {
          data = next;
          byNumber = new Map(data.trials.map((t) => [t.n, t]));
          drawHeader();
          fillMetricMenus();
          drawTradeoff();
          drawProgress();
          drawBreakdowns();
          drawImportance();
          drawCluster();
          buildTable();
          refresh();
          document.body.setAttribute("data-rendered", "true");
          document.body.setAttribute("data-trials", String(data.trials.length));
        }

        const tooltip = $("tooltip");
        $("pareto").addEventListener("mousemove", (event) => {
          const trial = byNumber.get(+event.target.getAttribute("data-trial"));
          if (!trial) { tooltip.hidden = true; return; }
          tooltip.hidden = false;
          tooltip.style.whiteSpace = "pre-line";
          tooltip.textContent = describe(trial);
          tooltip.style.left = (event.pageX + 12) + "px";
          tooltip.style.top = (event.pageY + 12) + "px";
        });
        $("pareto").addEventListener("mouseleave", () => { tooltip.hidden = true; });
        for (const id of ["x-metric", "y-metric", "log-scale"]) $(id).addEventListener("change", drawTradeoff);
        $("filter").addEventListener("input", () => { page = 0; refresh(); });
        $("previous").addEventListener("click", () => { if (page > 0) { page -= 1; refresh(); } });
        $("next").addEventListener("click", () => { page += 1; refresh(); });

        const embedded = $("report-data");
        if (embedded) render(JSON.parse(embedded.textContent));
        const live = document.body.getAttribute("data-live");
        if (live) {
          const poll = () => fetch(live, { cache: "no-store" }).then((response) => response.json())
            .then(render).catch((error) => { $("study-status").textContent = "cannot reach the dashboard: " + error; });
          poll();
          setInterval(poll, +(document.body.getAttribute("data-interval") || 2000));
        }
        """#
}
