(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dprk-kg-data").textContent);
  var sources = data.sources, events = data.events;
  var SVG = "http://www.w3.org/2000/svg";
  var palette = ["#fd8d3c", "#e6550d", "#a50f15", "#31a354", "#969696", "#756bb1", "#bcbd22", "#2c7fb8", "#6baed6"];
  var lanes = [], laneOf = {}, hidden = {};
  events.forEach(function (e) { if (!(e.event in laneOf)) { laneOf[e.event] = lanes.length; lanes.push(e.event); } });

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  // A date of any precision as a fractional year: "2022" is its start, "2022-11" the month's start.
  function when(date) {
    var p = date.split("-").map(Number);
    return p[0] + ((p[1] || 1) - 1) / 12 + ((p[2] || 1) - 1) / 365;
  }

  function sourceItem(i) {
    var s = sources[i], li = el("li");
    li.appendChild(el("span", s.name, "src-name"));
    var meta = [s.publisher, s.date, s.dataset ? "dataset" : ""].filter(function (x) { return x; }).join(", ");
    if (meta) li.appendChild(el("span", " (" + meta + ")", "by"));
    s.urls.forEach(function (u) {
      if (!/^https?:\/\//i.test(u)) return;
      var a = el("a", u);
      a.href = u; a.target = "_blank"; a.rel = "noopener noreferrer";
      li.appendChild(el("br"));
      li.appendChild(a);
    });
    return li;
  }

  var details = document.getElementById("details"), marks = [], items = [];
  function open(i) {
    var e = events[i], box = document.createDocumentFragment();
    box.appendChild(el("h2", e.label));
    box.appendChild(el("div", e.date + " \u2014 " + e.event, "kind"));
    box.appendChild(el("div", e.id, "iri"));
    if (e.involved.length) box.appendChild(el("div", "Involves: " + e.involved.join("; ")));
    if (e.facts.length) {
      var facts = el("ul", null, "facts");
      e.facts.forEach(function (f) {
        var li = el("li", f[0] + ": " + f[1]);
        // A fact's sources are named when they are not simply the event's own sources.
        if (f[2].length && f[2].join() !== e.sources.join()) {
          li.appendChild(el("span", " \u2014 " + f[2].map(function (s) { return sources[s].name; }).join("; "), "by"));
        }
        facts.appendChild(li);
      });
      box.appendChild(facts);
    }
    box.appendChild(el("div", "Sources (" + e.sources.length + "):"));
    var ul = el("ul", null, "sources");
    e.sources.forEach(function (s) { ul.appendChild(sourceItem(s)); });
    box.appendChild(ul);
    details.replaceChildren(box);
    marks.forEach(function (m, j) { m.setAttribute("class", j === i ? "chosen" : ""); });
    items.forEach(function (li, j) { li.classList.toggle("chosen", j === i); });
  }

  var axis = document.getElementById("axis"), list = document.getElementById("events");
  function draw() {
    var shown = lanes.filter(function (l) { return !hidden[l]; });
    var width = 1000, left = 110, right = 40, top = 24, laneHeight = 26;
    var height = top + laneHeight * Math.max(1, shown.length) + 10;
    var times = events.map(function (e) { return when(e.date); });
    var first = Math.floor(Math.min.apply(null, times.concat([2020]))), last = Math.ceil(Math.max.apply(null, times.concat([first + 1])) + 0.001);
    function x(t) { return left + (width - left - right) * (t - first) / (last - first); }
    var root = svg("svg", {viewBox: "0 0 " + width + " " + height, role: "img"});
    var step = Math.max(1, Math.ceil((last - first) / 20));
    for (var year = first; year <= last; year += step) {
      root.appendChild(svg("line", {x1: x(year), x2: x(year), y1: 14, y2: height, "class": "tick"}));
      root.appendChild(svg("text", {x: x(year) + 2, y: 11, "class": "year"}, String(year)));
    }
    shown.forEach(function (lane, k) {
      root.appendChild(svg("text", {x: 4, y: top + laneHeight * k + 15, "class": "lane"}, lane));
    });
    marks = events.map(function (e, i) {
      var k = shown.indexOf(e.event);
      var circle = svg("circle", {cx: x(times[i]).toFixed(1), cy: top + laneHeight * Math.max(k, 0) + 11, r: 6,
                                  fill: palette[laneOf[e.event] % palette.length]});
      circle.appendChild(svg("title", {}, e.date + " " + e.event + ": " + e.label));
      circle.addEventListener("click", function () { open(i); });
      if (k >= 0) root.appendChild(circle);
      return circle;
    });
    axis.replaceChildren(root);
    list.replaceChildren();
    items = [];
    var year = null;
    events.forEach(function (e, i) {
      var li = el("li");
      li.appendChild(el("span", e.date, "date"));
      li.appendChild(el("span", e.event, "what"));
      li.appendChild(document.createTextNode(" " + e.label));
      li.addEventListener("click", function () { open(i); });
      items.push(li);
      if (hidden[e.event]) return;
      if (e.date.slice(0, 4) !== year) { year = e.date.slice(0, 4); list.appendChild(el("li", year, "year-head")); }
      list.appendChild(li);
    });
  }

  var legend = document.getElementById("lanes");
  lanes.forEach(function (lane) {
    var label = el("label"), box = el("input"), swatch = el("span", null, "swatch");
    box.type = "checkbox"; box.checked = true; box.value = lane;
    swatch.style.background = palette[laneOf[lane] % palette.length];
    box.addEventListener("change", function () { hidden[lane] = !box.checked; draw(); });
    label.appendChild(box); label.appendChild(swatch);
    label.appendChild(document.createTextNode(lane + " (" + events.filter(function (e) { return e.event === lane; }).length + ")"));
    legend.appendChild(label);
  });
  draw();
  document.documentElement.setAttribute("data-ready", "1");
  window.dprkKgTimeline = {open: open, events: events};
})();
