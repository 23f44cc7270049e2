// A one-time link carries its token in the fragment (#token=...), which no server, proxy or
// access log sees: move it into the form, out of the address bar, and offer the button.
"use strict";
const found = /^#token=([A-Za-z0-9_-]{20,100})$/.exec(window.location.hash);
if (found) {
  document.getElementById("token").value = found[1];
  document.getElementById("link-form").hidden = false;
  document.getElementById("other-ways").hidden = true;
  history.replaceState(null, "", window.location.pathname);
}
