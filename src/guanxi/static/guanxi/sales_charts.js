// Funnel and forecast charts (ECharts, vendored). Data come from json_script blocks.
(function () {
  "use strict";
  if (!window.echarts) return;
  const read = (id) => {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  };
  const charts = [];
  const lang = document.documentElement.lang || undefined;
  const money = (v) => "¥" + Math.round(v).toLocaleString(lang);
  const compact = new Intl.NumberFormat(lang, { notation: "compact" });

  const funnel = read("funnel-data");
  const funnelEl = document.getElementById("funnel-chart");
  if (funnel && funnelEl) {
    const chart = window.echarts.init(funnelEl);
    const max = Math.max(1, ...funnel.data.map((d) => d.value));
    const fmt = (v) => (funnel.measure === "amount" ? money(v) : String(v));
    chart.setOption({
      tooltip: { trigger: "item", formatter: (p) => `${p.name}: ${fmt(p.value)}` },
      series: [{
        name: funnel.series, type: "funnel", sort: "none", min: 0, max,
        left: "5%", right: "5%", top: 10, bottom: 10, gap: 2, minSize: "8%",
        label: { show: true, position: "inside", formatter: (p) => `${p.name}\n${fmt(p.value)}` },
        data: funnel.data,
      }],
    });
    charts.push(chart);
  }

  const forecast = read("forecast-data");
  const forecastEl = document.getElementById("forecast-chart");
  if (forecast && forecastEl) {
    const chart = window.echarts.init(forecastEl);
    chart.setOption({
      tooltip: { trigger: "axis", valueFormatter: money },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 8, bottom: 8, top: 40, containLabel: true },
      xAxis: { type: "category", data: forecast.reps, axisLabel: { interval: 0, overflow: "truncate", width: 80 } },
      yAxis: { type: "value", axisLabel: { formatter: (v) => compact.format(v) } },
      series: forecast.series.map((s) => ({ name: s.name, type: "bar", data: s.data, barMaxWidth: 28 })),
    });
    charts.push(chart);
  }
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
