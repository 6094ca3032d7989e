// sousei dashboard: search suggestions, Plotly charts drawn from the JSON specs the server renders, the
// projection simulator and the choropleth map.
(function () {
  "use strict";

  // --- search as you type (the header box, and the compare page's box that adds a municipality) ------------
  function suggest(box, list, hrefOf) {
    let timer = null;
    function render(items) {
      list.innerHTML = "";
      for (const it of items) {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.href = hrefOf(it);
        a.textContent = it.name + "（" + it.pref_name + "）";
        const small = document.createElement("small");
        small.textContent = " " + (it.name_kana || "") + " " + it.muni_code;
        a.appendChild(small);
        li.appendChild(a);
        list.appendChild(li);
      }
      list.hidden = items.length === 0;
    }
    list.hidden = true;
    box.addEventListener("input", function () {
      clearTimeout(timer);
      const q = box.value.trim();
      if (!q) { render([]); return; }
      timer = setTimeout(function () {
        fetch("/api/search?limit=10&q=" + encodeURIComponent(q))
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(render);
      }, 120);
    });
    // Arrow keys move between the box and the suggestions; Escape closes them.
    box.addEventListener("keydown", function (ev) {
      const first = list.querySelector("a");
      if (ev.key === "ArrowDown" && first) { ev.preventDefault(); first.focus(); }
      if (ev.key === "Escape") render([]);
    });
    list.addEventListener("keydown", function (ev) {
      const links = Array.prototype.slice.call(list.querySelectorAll("a"));
      const i = links.indexOf(document.activeElement);
      if (ev.key === "ArrowDown" && i < links.length - 1) { ev.preventDefault(); links[i + 1].focus(); }
      if (ev.key === "ArrowUp") { ev.preventDefault(); (i > 0 ? links[i - 1] : box).focus(); }
      if (ev.key === "Escape") { render([]); box.focus(); }
    });
  }
  const box = document.getElementById("search-box");
  const list = document.getElementById("search-suggest");
  if (box && list) {
    suggest(box, list, function (it) { return "/m/" + encodeURIComponent(it.muni_code); });
    // A submitted search goes to the results page (/search); a shown suggestion is taken at once.
    box.form.addEventListener("submit", function (ev) {
      const first = list.hidden ? null : list.querySelector("a");
      if (first) { ev.preventDefault(); window.location.href = first.href; }
    });
  }
  const addBox = document.getElementById("compare-add");
  const addList = document.getElementById("compare-suggest");
  if (addBox && addList) {
    const form = addBox.form;
    suggest(addBox, addList, function (it) {
      const codes = form.elements.codes.value ? form.elements.codes.value + "," : "";
      const fam = form.elements.family.value;
      return "/compare?codes=" + encodeURIComponent(codes + it.muni_code) + (fam ? "&family=" + encodeURIComponent(fam) : "");
    });
  }

  if (typeof Plotly === "undefined") return;
  const narrow = window.matchMedia("(max-width: 600px)").matches;
  const config = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["lasso2d", "select2d"] };
  function baseLayout(spec) {
    return {
      margin: { l: 60, r: 10, t: 10, b: 40 },
      xaxis: { title: { text: spec.x_label }, automargin: true },
      yaxis: { title: { text: spec.y_label }, separatethousands: true, automargin: true },
      // The legend sits above the plot: below it, it collided with the x-axis title on narrow screens.
      legend: { orientation: "h", x: 0, xanchor: "left", y: 1.02, yanchor: "bottom" },
      font: { family: "sans-serif", size: narrow ? 10 : 12 },
      separators: ".,",
      hoverlabel: { namelength: -1 },
    };
  }

  // People on an axis read in 人 or 万人, never "2M" / "150k": ticks are set here from the data's range.
  function peopleAxis(axis, values) {
    axis.exponentformat = "none";
    axis.separatethousands = true;
    const finite = values.filter(function (v) { return v !== null && isFinite(v); });
    if (!finite.length) return;
    const lo = Math.min(0, Math.min.apply(null, finite));
    const hi = Math.max(0, Math.max.apply(null, finite));
    if (Math.max(-lo, hi) < 100000) return;  // 人: plain numbers with separators
    const raw = (hi - lo) / 5;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map(function (m) { return m * mag; }).find(function (s) { return s >= raw; });
    const vals = [];
    for (let v = Math.floor(lo / step) * step; v <= hi + step / 2; v += step) vals.push(v);
    axis.tickvals = vals;
    axis.ticktext = vals.map(function (v) {
      return (Math.abs(v) / 10000).toLocaleString("ja-JP", { maximumFractionDigits: 1 }) + "万";
    });
  }
  function isPeople(label) { return /人/.test(label || "") && !/[%‰率]|当たり|\/|千対|万対/.test(label || ""); }

  // --- charts ----------------------------------------------------------------------------------------------
  function draw(spec) {
    const el = document.getElementById("plot-" + spec.id);
    if (!el) return;
    let traces;
    const layout = baseLayout(spec);
    if (spec.kind === "pyramid") {
      traces = spec.series.map(function (s) {
        const sign = s.side === "left" ? -1 : 1;
        const x = s.y.map(function (v) { return v === null ? null : sign * v; });
        const common = { name: s.name, y: s.x, x: x, customdata: s.y,
          hovertemplate: "%{y}: %{customdata:,}人<extra>" + s.name + "</extra>" };
        if (s.kind === "line") {
          return Object.assign(common, { type: "scatter", mode: "lines",
            line: { shape: "hvh", dash: s.dash ? "dot" : "solid", width: 2 } });
        }
        return Object.assign(common, { type: "bar", orientation: "h", opacity: 0.75 });
      });
      layout.barmode = "overlay";
      layout.bargap = 0.05;
      layout.xaxis = { title: { text: spec.y_label + (narrow ? "" : "（左：男性　右：女性）") }, tickformat: ",d",
        automargin: true };
      peopleAxis(layout.xaxis, [].concat.apply([], traces.map(function (t) { return t.x; })));
      layout.yaxis = { title: { text: spec.x_label }, type: "category", automargin: true };
    } else if (spec.kind === "hbar") {
      traces = spec.series.map(function (s) {
        return { type: "bar", orientation: "h", name: s.name, y: s.x, x: s.y,
          hovertemplate: "%{y}: %{x:,}<extra></extra>" };
      });
      layout.xaxis = { title: { text: spec.y_label }, automargin: true };
      layout.yaxis = { title: { text: "" }, automargin: true, type: "category" };
      layout.margin.l = 10;
      layout.showlegend = false;
    } else {
      traces = spec.series.map(function (s) {
        const kind = s.kind || spec.kind;
        const bar = kind === "bar";
        const mode = kind === "marker" ? "markers" : kind === "line" ? "lines" : "lines+markers";
        return {
          type: bar ? "bar" : "scatter", mode: bar ? undefined : mode, name: s.name, x: s.x, y: s.y,
          line: s.dash ? { dash: "dash" } : {},
          hovertemplate: "%{x}: %{y:,}<extra>" + s.name + "</extra>",
        };
      });
      if (spec.kind === "bar") {
        layout.xaxis.type = "category";
        // Narrow screens: horizontal category labels, wrapped every 5 characters, instead of rotated and clipped.
        if (narrow) {
          layout.xaxis.tickangle = 0;
          traces.forEach(function (t) {
            t.x = t.x.map(function (x) { return typeof x === "string" ? x.replace(/(.{5})(?=.)/g, "$1<br>") : x; });
          });
        }
      }
      traces.forEach(function (t, i) {
        if ((spec.series[i].kind || "") === "marker") t.marker = { size: 10, symbol: "circle" };
      });
      traces.forEach(function (t, i) {
        const c = spec.series[i].color;
        if (c) { t.marker = { color: c }; t.line = Object.assign({}, t.line, { color: c }); }
      });
      // shade the highlighted x categories (the young ages of the migration charts)
      const cats = spec.series.length ? spec.series[0].x : [];
      const idx = (spec.highlight || []).map(function (h) { return cats.indexOf(h); }).filter(function (i) { return i >= 0; });
      if (idx.length) {
        layout.xaxis.type = "category";
        layout.shapes = [{ type: "rect", xref: "x", yref: "paper", x0: Math.min.apply(null, idx) - 0.5,
          x1: Math.max.apply(null, idx) + 0.5, y0: 0, y1: 1, fillcolor: "rgba(255, 170, 0, 0.15)",
          line: { width: 0 }, layer: "below" }];
      }
    }
    layout.xaxis.exponentformat = "none";
    layout.yaxis.exponentformat = "none";
    if (spec.kind !== "pyramid" && spec.kind !== "hbar" && isPeople(spec.y_label)) {
      peopleAxis(layout.yaxis, [].concat.apply([], traces.map(function (t) { return t.y; })));
    }
    Plotly.newPlot(el, traces, layout, config);
    el.dataset.drawn = String(traces.reduce(function (n, t) {
      return n + (t.y ? t.y.filter(function (v) { return v !== null; }).length : 0);
    }, 0));
  }
  const specEl = document.getElementById("chart-specs");
  if (specEl) JSON.parse(specEl.textContent).forEach(draw);

  // --- simulator -------------------------------------------------------------------------------------------
  const sim = document.getElementById("simulator");
  if (sim) {
    const code = sim.dataset.code;
    const inputs = { tfr_2030: "sim-tfr30", tfr_2040: "sim-tfr40", migration_scale: "sim-mig" };
    const outs = { tfr_2030: "out-tfr30", tfr_2040: "out-tfr40", migration_scale: "out-mig" };
    const plot = document.getElementById("plot-simulator");
    const summary = document.getElementById("sim-summary");
    const fmt = new Intl.NumberFormat("ja-JP", { maximumFractionDigits: 0 });
    let pending = null;
    function run() {
      const params = new URLSearchParams();
      for (const k in inputs) {
        const v = document.getElementById(inputs[k]).value;
        params.set(k, v);
        document.getElementById(outs[k]).textContent = Number(v).toFixed(2);
      }
      if (pending) pending.abort();
      pending = new AbortController();
      fetch("/api/m/" + encodeURIComponent(code) + "/simulate?" + params.toString(), { signal: pending.signal })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (d) {
          const traces = [
            { type: "scatter", mode: "lines+markers", name: d.baseline_name || "パターン1", x: d.years, y: d.baseline,
              line: { dash: "dash" }, hovertemplate: "%{x}: %{y:,.0f}人<extra>パターン1</extra>" },
            { type: "scatter", mode: "lines+markers", name: "シミュレーション", x: d.years, y: d.simulated,
              hovertemplate: "%{x}: %{y:,.0f}人<extra>シミュレーション</extra>" },
          ];
          Plotly.react(plot, traces, baseLayout({ x_label: "年", y_label: "人口（人）" }), config);
          const last = d.years.length - 1;
          plot.dataset.drawn = String(d.years.length * 2);
          plot.dataset.simulated = String(d.simulated[last]);
          summary.textContent = d.years[last] + "年の人口：パターン1 " + fmt.format(d.baseline[last]) +
            "人 → シミュレーション " + fmt.format(d.simulated[last]) + "人（差 " +
            fmt.format(d.simulated[last] - d.baseline[last]) + "人）";
        })
        .catch(function (e) { if (e.name !== "AbortError") summary.textContent = "計算できませんでした（" + e.message + "）"; });
    }
    let t = null;
    for (const k in inputs) {
      document.getElementById(inputs[k]).addEventListener("input", function () { clearTimeout(t); t = setTimeout(run, 80); });
    }
    run();
  }

  // --- choropleth map --------------------------------------------------------------------------------------
  // The outlines come as TopoJSON (quantised, delta-encoded arcs: /api/geo/municipalities.topojson); decoded here
  // into the GeoJSON features Plotly draws.
  function topoFeatures(topo) {
    const sx = topo.transform.scale[0], sy = topo.transform.scale[1];
    const tx = topo.transform.translate[0], ty = topo.transform.translate[1];
    const arcs = topo.arcs.map(function (arc) {
      let x = 0, y = 0;
      return arc.map(function (d) { x += d[0]; y += d[1]; return [x * sx + tx, y * sy + ty]; });
    });
    function ring(ids) {
      let pts = [];
      ids.forEach(function (i) {
        const a = i < 0 ? arcs[~i].slice().reverse() : arcs[i];
        pts = pts.length ? pts.concat(a.slice(1)) : a.slice();
      });
      return pts;
    }
    return topo.objects.municipalities.geometries.map(function (g) {
      return { type: "Feature", id: g.id, properties: g.properties,
        geometry: { type: "MultiPolygon", coordinates: g.arcs.map(function (p) { return p.map(ring); }) } };
    });
  }
  const map = document.getElementById("map");
  if (map) {
    const pref = map.dataset.pref;
    function failed(msg) {
      map.dataset.drawn = "error";
      map.textContent = "地図を表示できませんでした（" + msg + "）。再読み込みしてください。数値はランキングとCSVで見られます。";
    }
    function json(url) {
      return fetch(url).then(function (r) { if (!r.ok) throw new Error(url + ": " + r.status); return r.json(); });
    }
    Promise.all([
      json(map.dataset.geo),
      json("/api/indicators/" + encodeURIComponent(map.dataset.indicator)),
      json("/api/areas"),
    ]).then(function (res) {
      const features = topoFeatures(res[0]), ind = res[1], areas = res[2];
      const names = {};
      areas.forEach(function (a) { names[a.muni_code] = a.pref_name + " " + a.name; });
      const codes = [], z = [], text = [], shown = [];
      features.forEach(function (f) {
        const c = f.properties.muni_code;
        if (pref && f.properties.pref_code !== pref) return;
        const v = ind.values[c];
        if (v === null || v === undefined) return;
        codes.push(c); z.push(v); text.push(names[c] || c); shown.push(f);
      });
      const geo = { type: "FeatureCollection", features: shown };
      const reversed = ind.direction === "lower_better";
      const trace = {
        type: "choropleth", geojson: geo, featureidkey: "properties.muni_code", locations: codes, z: z, text: text,
        colorscale: "Viridis", reversescale: reversed, marker: { line: { width: 0.2, color: "#fff" } },
        colorbar: { title: { text: ind.unit }, thickness: 12 },
        hovertemplate: "%{text}<br>%{z:,}" + ind.unit + "<extra></extra>",
      };
      const layout = {
        margin: { l: 0, r: 0, t: 0, b: 0 },
        geo: { fitbounds: "locations", visible: false, projection: { type: "mercator" } },
        font: { family: "sans-serif" },
      };
      // Drawn on the next frame, once the container has its size (a first load drew into a zero-width box).
      // The base-map topojson is never fetched (no CDN): the promise may not settle, so mark the plot at once.
      requestAnimationFrame(function () {
        Plotly.newPlot(map, [trace], layout, Object.assign({ topojsonURL: "/static/topojson/" }, config));
        map.dataset.drawn = String(codes.length);
        map.on("plotly_click", function (ev) {
          if (ev.points && ev.points[0]) window.location.href = "/m/" + ev.points[0].location;
        });
      });
    }).catch(function (e) { failed(e.message); });
  }
})();
