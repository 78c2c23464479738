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
    Plotly.newPlot(el, fig.data || [], narrow(el, fig.layout || {}), config).then(() => { el.dataset.drawn = "1"; });
  }
  // On a phone the chart keeps its data and loses what the caption already says: smaller type,
  // no title under a month axis, the legend further down.
  function narrow(el, layout) {
    if (el.clientWidth >= 560) return layout;
    const out = Object.assign({}, layout);
    out.font = Object.assign({}, layout.font || {}, {size: 11});
    if (out.xaxis && out.xaxis.type === "category") {
      out.xaxis = Object.assign({}, out.xaxis, {title: {text: ""}, tickangle: -90});
    }
    // The value axis' title collides with its ticks at this width; the caption names the unit.
    if (out.yaxis && out.yaxis.title) out.yaxis = Object.assign({}, out.yaxis, {title: {text: ""}});
    if (out.legend && out.legend.y < 0) out.legend = Object.assign({}, out.legend, {y: -0.45});
    return out;
  }
  function drawAll() { document.querySelectorAll(".chart[data-figure]").forEach(draw); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll); else drawAll();
  window.payeshDrawCharts = drawAll;
})();
