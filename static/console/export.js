// Export downloads with progress: fetch the streamed export, count what arrives, then save it.
// The server streams every export from its first case on, so bytes keep arriving; the total
// number of cases comes in X-Export-Cases. The panel's data-* attributes carry the words.
// A server that fails midway cuts the transfer (it cannot change the 200 it already sent): the
// read then rejects, and a ZIP or XLSX without its end record is refused too; either way nothing
// is saved and the panel says the export broke off.
(function () {
  "use strict";
  var ZIP_END = [0x50, 0x4b, 0x05, 0x06]; // "PK\5\6", the end-of-central-directory record

  function endsAsZip(parts) {
    var last = new Uint8Array(22), filled = 0; // the end record with an empty comment: the last 22 bytes
    for (var i = parts.length - 1; i >= 0 && filled < 22; i--) {
      var part = parts[i], take = Math.min(part.length, 22 - filled);
      last.set(part.subarray(part.length - take), 22 - filled - take);
      filled += take;
    }
    return filled === 22 && ZIP_END.every(function (b, n) { return last[n] === b; });
  }

  document.querySelectorAll("[data-export-panel]").forEach(function (panel) { bind(panel); });

  function bind(panel) {
    var out = panel.querySelector("[data-export-progress]");
    var words = panel.dataset;

    function size(bytes) {
      if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(0) + " KB";
      return (bytes / 1024 / 1024).toFixed(1) + " MB";
    }

    function show(text) { out.hidden = false; out.textContent = text; }

    function filename(response, fallback) {
      var match = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
      return match ? match[1] : fallback;
    }

    // The console's error page names what went wrong ([data-error-message]); show that sentence.
    async function reason(response) {
      try {
        var page = new DOMParser().parseFromString(await response.text(), "text/html");
        var message = page.querySelector("[data-error-message]");
        var colon = document.documentElement.lang === "en" ? ": " : "：";
        return message ? colon + message.textContent.trim() : "";
      } catch (err) {
        return "";
      }
    }

    function save(blob, name) {
      var url = URL.createObjectURL(blob);
      var a = document.createElement("a");
      a.href = url; a.download = name; document.body.appendChild(a); a.click(); a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    }

    async function run(link) {
      var started = Date.now();
      var waiting = setInterval(function () {
        show(words.preparing + " " + Math.round((Date.now() - started) / 1000) + " s");
      }, 500);
      show(words.preparing);
      panel.classList.add("busy");
      var response = null;
      try {
        response = await fetch(link.href, { credentials: "same-origin" });
        clearInterval(waiting);
        if (!response.ok) {
          show(words.failed + " (" + response.status + ")" + await reason(response));
          out.dataset.state = "failed";
          return;
        }
        var total = Number(response.headers.get("Content-Length")) || 0;
        var cases = response.headers.get("X-Export-Cases");
        var reader = response.body.getReader();
        var parts = [], received = 0;
        for (;;) {
          var step = await reader.read();
          if (step.done) break;
          parts.push(step.value);
          received += step.value.length;
          show(words.receiving + " " + size(received) + (total ? " / " + size(total) + " (" +
               Math.round(100 * received / total) + "%)" : "") + (cases !== null ? " · " + words.cases.replace("{n}", cases) : ""));
        }
        var type = response.headers.get("Content-Type") || "application/octet-stream";
        if (/zip|spreadsheetml/.test(type) && !endsAsZip(parts)) throw new Error("incomplete archive");
        save(new Blob(parts, { type: type }), filename(response, "export"));
        show(words.done + " " + size(received) + (cases !== null ? " · " + words.cases.replace("{n}", cases) : ""));
        out.dataset.state = "done";
      } catch (err) {
        clearInterval(waiting);
        show(response ? words.interrupted : words.failed);
        out.dataset.state = "failed";
        if (window.console) console.warn("export broken off", err);
      } finally {
        panel.classList.remove("busy");
      }
    }

    panel.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-export]");
      if (!link || !window.fetch || !window.ReadableStream) return; // plain download as a fallback
      event.preventDefault();
      if (panel.classList.contains("busy")) return;
      out.dataset.state = "running";
      run(link);
    });
  }
})();
