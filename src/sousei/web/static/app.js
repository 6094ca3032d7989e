// sousei dashboard: search suggestions and Plotly charts drawn from the JSON specs the server renders.
(function () {
  "use strict";

  // --- search as you type -------------------------------------------------------------------------------
  const box = document.getElementById("search-box");
  const list = document.getElementById("search-suggest");
  let timer = null;
  function render(items) {
    list.innerHTML = "";
    for (const it of items) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = "/m/" + encodeURIComponent(it.muni_code);
      a.textContent = it.name + "（" + it.pref_name + "）";
      const small = document.createElement("small");
      small.textContent = " " + (it.name_kana || "") + " " + it.muni_code;
      a.appendChild(small);
      li.appendChild(a);
      list.appendChild(li);
    }
    list.hidden = items.length === 0;
  }
  if (box && list) {
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
    box.form.addEventListener("submit", function (ev) {
      const first = list.querySelector("a");
      if (first) { ev.preventDefault(); window.location.href = first.href; }
    });
  }

  // --- charts ----------------------------------------------------------------------------------------------
  const specEl = document.getElementById("chart-specs");
  if (!specEl || typeof Plotly === "undefined") return;
  const specs = JSON.parse(specEl.textContent);
  const fmt = new Intl.NumberFormat("ja-JP");
  for (const spec of specs) {
    const el = document.getElementById("plot-" + spec.id);
    if (!el) continue;
    let traces;
    const layout = {
      margin: { l: 60, r: 10, t: 10, b: 50 },
      xaxis: { title: { text: spec.x_label } },
      yaxis: { title: { text: spec.y_label }, separatethousands: true },
      legend: { orientation: "h", y: -0.25 },
      font: { family: "sans-serif", size: 12 },
      separators: ".,",
    };
    if (spec.kind === "pyramid") {
      traces = spec.series.map(function (s, i) {
        const sign = i === 0 ? -1 : 1;
        return {
          type: "bar", orientation: "h", name: s.name, y: s.x,
          x: s.y.map(function (v) { return v === null ? null : sign * v; }),
          customdata: s.y, hovertemplate: "%{y}: %{customdata:,}人<extra>" + s.name + "</extra>",
        };
      });
      layout.barmode = "overlay";
      layout.bargap = 0.05;
      layout.xaxis = { title: { text: spec.y_label }, tickformat: ",d" };
      layout.yaxis = { title: { text: spec.x_label }, type: "category" };
    } else {
      traces = spec.series.map(function (s) {
        return {
          type: spec.kind === "bar" ? "bar" : "scatter", mode: "lines+markers", name: s.name, x: s.x, y: s.y,
          line: s.dash ? { dash: "dash" } : {},
          hovertemplate: "%{x}: %{y:,}<extra>" + s.name + "</extra>",
        };
      });
    }
    Plotly.newPlot(el, traces, layout, { responsive: true, displaylogo: false, locale: "ja" });
    el.dataset.drawn = String(traces.reduce(function (n, t) { return n + (t.x ? t.x.length : 0); }, 0));
  }
  void fmt;
})();
