// Draws every .chart[data-figure] with Plotly; adds PNG and SVG download buttons.
(function () {
  function draw(el) {
    if (!window.Plotly || el.dataset.drawn) return;
    const fig = JSON.parse(el.dataset.figure);
    const name = el.dataset.filename || "payesh-chart";
    el.innerHTML = "";
    const config = {
      responsive: true, displaylogo: false, locale: document.documentElement.lang,
      toImageButtonOptions: {format: "png", filename: name, scale: 2},
      modeBarButtonsToAdd: [{
        name: "svg", title: "SVG", icon: Plotly.Icons.camera,
        click: (gd) => Plotly.downloadImage(gd, {format: "svg", filename: name}),
      }],
    };
    Plotly.newPlot(el, fig.data || [], fig.layout || {}, config).then(() => { el.dataset.drawn = "1"; });
  }
  function drawAll() { document.querySelectorAll(".chart[data-figure]").forEach(draw); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll); else drawAll();
  window.payeshDrawCharts = drawAll;
})();
