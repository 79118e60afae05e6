// Charts of the warning statistics page. The numbers are also in the tables beside the charts,
// so the page says everything without JavaScript.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("sl-chart-data");
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var months = document.getElementById("sl-chart-months");
    if (months) {
      echarts.init(months).setOption({
        grid: { left: 40, right: 16, top: 16, bottom: 32 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: data.months },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ type: "bar", barMaxWidth: 40, data: data.monthCounts }]
      });
    }
    var stages = document.getElementById("sl-chart-stages");
    if (stages) {
      echarts.init(stages).setOption({
        tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: ["40%", "70%"], data: data.stages }]
      });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
