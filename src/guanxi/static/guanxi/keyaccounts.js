// The relationship map diagram on the Key account tab (ECharts graph, vendored). The tab
// arrives through HTMX, so this runs each time it is swapped in and loads ECharts once.
(function () {
  "use strict";
  const el = document.getElementById("relmap-chart");
  const dataEl = document.getElementById("relmap-data");
  if (!el || !dataEl) return;
  const graph = JSON.parse(dataEl.textContent);
  // supporter, neutral, opponent, the company, our people
  const colors = ["#2fb344", "#9aa0ac", "#d63939", "#206bc4", "#f59f00"];

  function draw() {
    if (!document.body.contains(el)) return;
    const old = window.echarts.getInstanceByDom(el);
    if (old) old.dispose();
    const chart = window.echarts.init(el);
    chart.setOption({
      color: colors,
      tooltip: {
        formatter: (p) => (p.dataType === "node" ? p.data.tooltip || p.data.name : p.data.label || ""),
      },
      legend: [{ data: [0, 1, 2, 4].map((i) => graph.categories[i].name), top: 4 }],
      series: [{
        type: "graph",
        layout: "force",
        roam: true,
        top: 40,
        bottom: 24,
        draggable: true,
        force: { repulsion: 420, edgeLength: [110, 170], gravity: 0.08 },
        categories: graph.categories,
        label: { show: true, position: "bottom", fontSize: 11 },
        edgeLabel: { show: true, fontSize: 10, formatter: (p) => p.data.label || "" },
        lineStyle: { color: "source", width: 1.5, opacity: 0.7 },
        data: graph.nodes,
        links: graph.links.map((l) => (l.dashed ? { ...l, lineStyle: { type: "dashed", color: "#f59f00" } } : l)),
      }],
    });
    window.addEventListener("resize", () => chart.resize());
  }

  if (window.echarts) {
    draw();
  } else {
    const script = document.createElement("script");
    script.src = el.dataset.echarts;
    script.onload = draw;
    document.head.appendChild(script);
  }
})();
