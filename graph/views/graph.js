(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dprk-kg-data").textContent);
  var kinds = data.kinds, sources = data.sources, info = data.nodes, links = data.edges;
  var hiddenKinds = {};

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function nodeItem(n, i) {
    var k = kinds[n.kind];
    var item = {id: i, label: n.label, x: n.x, y: n.y, size: n.size, shape: k.shape, borderWidth: 1,
                color: {background: k.colour, border: k.colour,
                        highlight: {background: k.colour, border: "#000"},
                        hover: {background: k.colour, border: "#000"}}};
    if (n.sanction.state === "listed") {
      item.color.border = "#b30000"; item.borderWidth = 4;
    } else if (n.sanction.state === "delisted") {
      item.color.border = "#444"; item.borderWidth = 3; item.shapeProperties = {borderDashes: [4, 3]};
    }
    return item;
  }

  var nodes = new vis.DataSet(info.map(nodeItem));
  var edges = new vis.DataSet(links.map(function (e, i) {
    var smooth = e.curve ? {enabled: true, type: e.curve > 0 ? "curvedCW" : "curvedCCW", roundness: Math.abs(e.curve)} : false;
    return {id: i, from: e.from, to: e.to, label: e.relation, smooth: smooth};
  }));
  var big = info.length > 1000;
  var network = new vis.Network(document.getElementById("net"), {nodes: nodes, edges: edges}, {
    physics: {enabled: false},
    layout: {improvedLayout: false},
    interaction: {hover: true, tooltipDelay: 100, hideEdgesOnDrag: big, hideEdgesOnZoom: big},
    nodes: {font: {size: 13, face: "system-ui, sans-serif"}},
    edges: {arrows: {to: {enabled: true, scaleFactor: 0.5}}, color: {color: "#9aa4ad", highlight: "#333", hover: "#333"},
            font: {size: 10, align: "middle", color: "#555"}, width: 1}
  });
  network.once("afterDrawing", function () {
    window.dprkKgReadyAt = performance.now();
    document.documentElement.setAttribute("data-ready", "1");
  });

  // A source as the panel names it: title, publisher and date, and its links.
  function sourceItem(i) {
    var s = sources[i], span = el("span", null, "src");
    span.appendChild(el("span", s.name, "src-name"));
    var meta = [s.publisher, s.date, s.dataset ? "dataset" : ""].filter(function (x) { return x; }).join(", ");
    if (meta) span.appendChild(el("span", " (" + meta + ")", "by"));
    s.urls.forEach(function (u) {
      if (!/^https?:\/\//i.test(u)) return;
      var a = el("a", u);
      a.href = u; a.target = "_blank"; a.rel = "noopener noreferrer";
      span.appendChild(document.createTextNode(" "));
      span.appendChild(a);
    });
    return span;
  }

  function sourceLine(indexes) {
    var line = el("div", "\u2014 stated by ", "by");
    indexes.forEach(function (i, j) {
      if (j) line.appendChild(document.createTextNode("; "));
      line.appendChild(sourceItem(i));
    });
    return line;
  }

  function factList(facts, cls) {
    var ul = el("ul", null, cls || "facts");
    facts.forEach(function (f) {
      var li = el("li", (f[0] ? f[0] + ": " : "") + f[1]);
      if (f[2].length) li.appendChild(sourceLine(f[2]));
      ul.appendChild(li);
    });
    return ul;
  }

  function nodeDetails(i) {
    var n = info[i], box = document.createDocumentFragment();
    box.appendChild(el("h2", n.label));
    box.appendChild(el("div", kinds[n.kind].name, "kind"));
    box.appendChild(el("div", n.id, "iri"));
    var aliases = n.names.filter(function (x) { return x[1] === "alias" && x[0] !== n.label; });
    if (aliases.length) box.appendChild(el("div", "Also known as: " + aliases.slice(0, 12).map(function (x) { return x[0]; }).join("; ") +
                                           (aliases.length > 12 ? "; \u2026 (" + aliases.length + " in all)" : "")));
    if (n.sanction.state) {
      box.appendChild(el("div", n.sanction.state === "listed" ? "Sanctioned: listed" : "Sanctioned, since delisted",
                         "state " + n.sanction.state));
      box.appendChild(factList(n.sanction.history.map(function (h) { return [h[0] || "undated", h[1], h[2]]; }), "history"));
    }
    box.appendChild(el("h3", n.records.length === 1 ? "1 record" : n.records.length + " records (one entity)"));
    n.records.forEach(function (r) {
      var head = el("div", r.id + " (" + r.kind + ")", "iri");
      box.appendChild(head);
      if (r.sources.length) box.appendChild(sourceLine(r.sources));
      box.appendChild(factList(r.facts));
      if (r.more) box.appendChild(el("div", r.more + " more facts: dprk-kg show " + r.id, "more"));
    });
    return box;
  }

  function edgeDetails(i) {
    var e = links[i], box = document.createDocumentFragment();
    box.appendChild(el("h2", info[e.from].label + " \u2192 " + e.relation + " \u2192 " + info[e.to].label));
    if (e.facts.length) box.appendChild(factList(e.facts));
    box.appendChild(sourceLine(e.sources));
    return box;
  }

  var tip = document.getElementById("tip"), details = document.getElementById("details");
  function showTip(content, pointer) {
    tip.replaceChildren(content);
    var r = document.getElementById("net").getBoundingClientRect();
    tip.style.left = Math.min(r.left + pointer.x + 14, window.innerWidth - 390) + "px";
    tip.style.top = (r.top + pointer.y + 14) + "px";
    tip.hidden = false;
  }
  function hideTip() { tip.hidden = true; }
  network.on("hoverNode", function (p) { showTip(nodeDetails(p.node), p.pointer.DOM); });
  network.on("hoverEdge", function (p) { showTip(edgeDetails(p.edge), p.pointer.DOM); });
  network.on("blurNode", hideTip);
  network.on("blurEdge", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);
  function pinNode(i) { details.replaceChildren(nodeDetails(i)); }
  network.on("click", function (p) {
    if (p.nodes.length) pinNode(p.nodes[0]);
    else if (p.edges.length) details.replaceChildren(edgeDetails(p.edges[0]));
  });

  var legend = document.getElementById("legend"), boxes = {};
  kinds.forEach(function (k, ki) {
    if (!k.count) return;
    var label = el("label"), box = el("input"), sym = el("span", k.symbol, "sym");
    box.type = "checkbox"; box.checked = true; box.value = k.name;
    sym.style.color = k.colour;
    label.appendChild(box); label.appendChild(sym);
    label.appendChild(document.createTextNode(" " + k.name + " "));
    label.appendChild(el("span", "(" + k.count + ")", "count"));
    box.addEventListener("change", function () { setKind(ki, box.checked); });
    boxes[ki] = box;
    legend.appendChild(label);
  });
  function setKind(ki, visible) {
    hiddenKinds[ki] = !visible;
    var changes = [];
    info.forEach(function (n, i) { if (n.kind === ki) changes.push({id: i, hidden: !visible}); });
    nodes.update(changes);
    boxes[ki].checked = visible;
  }

  // Search ranks as `dprk-kg search` does: exact, prefix, substring, then close spelling;
  // then a name before an alias, a shorter name first; one hit per node.
  function normal(text) { return text.toLowerCase().split(/\s+/).filter(function (w) { return w; }).join(" "); }
  var names = [];
  info.forEach(function (n, i) {
    n.names.forEach(function (x) { names.push({key: normal(x[0]), name: x[0], field: x[1], rank: x[2], node: i}); });
    if (!n.names.length) names.push({key: normal(n.label), name: n.label, field: "name", rank: 0, node: i});
  });
  function distance(a, b) {
    var row = [], i, j, prev, next;
    for (j = 0; j <= b.length; j++) row.push(j);
    for (i = 1; i <= a.length; i++) {
      prev = row[0]; row[0] = i;
      for (j = 1; j <= b.length; j++) {
        next = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = row[j]; row[j] = next;
      }
    }
    return row[b.length];
  }
  function find(query) {
    var q = normal(query), hits = [];
    if (!q) return [];
    names.forEach(function (x) {
      var level;
      if (x.key === q) level = 0;
      else if (x.key.indexOf(q) === 0) level = 1;
      else if (x.key.indexOf(q) >= 0) level = 2;
      else if (x.rank === 0 && Math.abs(x.key.length - q.length) <= 3 &&
               1 - distance(x.key, q) / Math.max(x.key.length, q.length) >= 0.75) level = 3;
      else return;
      hits.push([level, x.rank, x.name.length, x.name, x.node, x.field]);
    });
    hits.sort(function (a, b) {
      for (var k = 0; k < 5; k++) { if (a[k] < b[k]) return -1; if (a[k] > b[k]) return 1; }
      return 0;
    });
    var seen = {}, best = [];
    hits.forEach(function (h) { if (!seen[h[4]]) { seen[h[4]] = true; best.push({node: h[4], name: h[3], field: h[5], match: ["exact", "prefix", "substring", "close"][h[0]]}); } });
    return best;
  }
  var search = document.getElementById("search"), status = document.getElementById("search-status");
  search.addEventListener("focus", function fill() {
    search.removeEventListener("focus", fill);
    var list = document.getElementById("names"), seen = {};
    names.forEach(function (x) {
      if (seen[x.name] || x.field === "address") return;
      seen[x.name] = true;
      var option = el("option"); option.value = x.name; list.appendChild(option);
    });
  });
  document.getElementById("search-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var hits = find(search.value);
    if (!hits.length) { status.textContent = "Nothing in this view is named \u201c" + search.value + "\u201d."; return; }
    var i = hits[0].node;
    if (hiddenKinds[info[i].kind]) setKind(info[i].kind, true);
    network.selectNodes([i]);
    network.focus(i, {scale: 1.3, animation: false});
    pinNode(i);
    var how = hits[0].field === "name" ? "" : " by " + hits[0].field + " \u201c" + hits[0].name + "\u201d";
    status.textContent = "Found " + info[i].label + " (" + kinds[info[i].kind].name + ")" + how +
      (hits.length > 1 ? "; " + (hits.length - 1) + " more match." : ".");
  });

  window.dprkKg = {network: network, nodes: nodes, edges: edges, find: find, data: data};
})();
