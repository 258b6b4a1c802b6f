/* The ledger statistics page's charts, drawn with the self-hosted Chart.js from the figures in
 * the JSON script tag #ledger-stats-data. Each chart is an extra view of the table beside it: the
 * tables are what screen readers and browsers without JavaScript get, so a canvas stays hidden
 * until its chart is drawn. */
(function () {
  "use strict";

  var source = document.getElementById("ledger-stats-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var Chart = window.Chart;
  var data = JSON.parse(source.textContent);
  var text = data.text || {};
  // Colours with at least 3:1 contrast on white, told apart also by their order in the legend.
  var palette = ["#1565c0", "#2e7d32", "#6a1b9a", "#00838f", "#c62828", "#ad1457", "#4e342e", "#37474f"];

  Chart.defaults.font.family =
    '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif';
  Chart.defaults.font.size = 13;
  if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
    Chart.defaults.animation = false;
  }

  function whole(axis) {
    // Counts of families: whole numbers only.
    return { beginAtZero: true, ticks: { precision: 0 }, stacked: axis === "stacked" };
  }

  function colours(count) {
    var list = [];
    for (var i = 0; i < count; i += 1) {
      list.push(palette[i % palette.length]);
    }
    return list;
  }

  // Areas (districts or townships) as bars stacked by grade, in the grades' own colours.
  function areas(area) {
    if (!area || !area.labels.length) {
      return null;
    }
    var datasets = data.grades.map(function (grade, i) {
      return {
        label: grade.name,
        backgroundColor: grade.colour,
        data: area.byGrade.map(function (counts) {
          return counts[i];
        }),
      };
    });
    return {
      type: "bar",
      data: { labels: area.labels, datasets: datasets },
      options: {
        indexAxis: area.labels.length > 8 ? "y" : "x",
        scales: { x: whole("stacked"), y: whole("stacked") },
        plugins: { legend: { position: "bottom" } },
      },
    };
  }

  var charts = {
    districts: function () {
      return areas(data.districts);
    },
    townships: function () {
      return areas(data.townships);
    },
    byGrade: function () {
      var grades = data.byGrade;
      if (!grades.labels.length) {
        return null;
      }
      return {
        type: "doughnut",
        data: {
          labels: grades.labels,
          datasets: [{ label: text.families, data: grades.values, backgroundColor: grades.colours }],
        },
        options: { aspectRatio: 2, plugins: { legend: { position: "right" } } },
      };
    },
    types: function () {
      var types = data.types;
      if (!types.labels.length) {
        return null;
      }
      return {
        type: "bar",
        data: {
          labels: types.labels,
          datasets: [{ label: text.families, data: types.values, backgroundColor: colours(types.values.length) }],
        },
        options: { indexAxis: "y", scales: { x: whole() }, plugins: { legend: { display: false } } },
      };
    },
    month: function () {
      return {
        type: "bar",
        data: {
          labels: data.month.labels,
          datasets: [{ label: text.families, data: data.month.values, backgroundColor: ["#1565c0", "#2e7d32", "#c62828", "#37474f"] }],
        },
        options: { scales: { y: whole() }, plugins: { legend: { display: false } } },
      };
    },
    changes: function () {
      var changes = data.changes;
      return {
        type: "bar",
        data: {
          labels: changes.labels,
          datasets: [
            { label: text.raised, data: changes.raised, backgroundColor: "#c62828" },
            { label: text.lowered, data: changes.lowered, backgroundColor: "#2e7d32" },
          ],
        },
        options: { scales: { y: whole() }, plugins: { legend: { position: "bottom" } } },
      };
    },
  };

  var canvases = document.querySelectorAll("canvas[data-chart]");
  for (var i = 0; i < canvases.length; i += 1) {
    var canvas = canvases[i];
    var build = charts[canvas.getAttribute("data-chart")];
    var config = build ? build() : null;
    if (!config) {
      continue;
    }
    // A chart sizes itself to its own box (Chart.js needs it positioned); kept to a readable width.
    var box = canvas.parentNode;
    box.style.position = "relative";
    box.style.maxWidth = config.type === "doughnut" ? "32rem" : "56rem";
    box.style.marginBlockEnd = "1rem";
    canvas.hidden = false;
    new Chart(canvas, config);
  }
})();
