// The import page: send the chosen file as the request body, so the server can stream it
// to disk (no size limit of a form) while the page shows the upload's progress. Without
// script the form posts the file as multipart (up to 64 MB).
(function () {
  var form = document.getElementById("import-form");
  if (!form || !window.XMLHttpRequest) return;
  form.addEventListener("submit", function (event) {
    var input = document.getElementById("file");
    if (!input.files.length) return;
    event.preventDefault();
    var file = input.files[0];
    var bar = document.getElementById("upload-progress");
    var status = document.getElementById("upload-status");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action"));
    xhr.setRequestHeader("X-CSRF-Token", form.querySelector("input[name=_csrf]").value);
    xhr.setRequestHeader("X-File-Name", file.name);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = function (e) {
      if (!e.lengthComputable) return;
      bar.hidden = false;
      bar.value = Math.round(e.loaded / e.total * 100);
      status.textContent = "Uploading: " + bar.value + "%";
    };
    xhr.onload = function () {
      var answer = {};
      try { answer = JSON.parse(xhr.responseText || "{}"); } catch (e) {}
      if (xhr.status === 202 && answer.href) { window.location = answer.href; return; }
      status.textContent = "The upload was refused: " + (answer.detail || ("status " + xhr.status));
    };
    xhr.onerror = function () { status.textContent = "The upload failed: check the connection and try again."; };
    xhr.send(file);
  });
})();
