/* Spoken questions and read-aloud answers for the assistant chat. Plain script, no build step.
 *
 * Microphone: records with MediaRecorder, uploads the clip to the chat's voice URL and puts
 * the transcript in the question box for the resident to check and edit. It never sends the
 * question itself. Read aloud: speechSynthesis in the page's language (an answer in
 * Korean is read with a Korean voice whatever the page's language).
 * Each button stays hidden (CSS) until this script finds that the browser can do it.
 */
(function () {
  "use strict";

  var root = document.documentElement;
  var canRecord = !!(window.MediaRecorder && navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  var canSpeak = "speechSynthesis" in window && "SpeechSynthesisUtterance" in window;
  if (canRecord) root.classList.add("can-record");
  if (canSpeak) root.classList.add("can-speak");

  // What the server decodes, best first: Chrome/Edge/Firefox record WebM or Ogg with Opus, Safari MP4/AAC.
  var TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm", "audio/ogg", "audio/mp4"];
  var EXTENSIONS = { "audio/webm": "webm", "audio/ogg": "ogg", "audio/mp4": "m4a" };

  function pickType() {
    if (typeof MediaRecorder.isTypeSupported !== "function") return "";
    for (var i = 0; i < TYPES.length; i++) {
      if (MediaRecorder.isTypeSupported(TYPES[i])) return TYPES[i];
    }
    return "";
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return key in values ? values[key] : ""; });
  }

  // --- microphone ---------------------------------------------------------------------------

  function setupMic(button) {
    if (button.dataset.voiceReady) return;
    button.dataset.voiceReady = "1";
    var form = button.closest("form");
    var textarea = form.querySelector("textarea[name=question]");
    var status = form.querySelector(".assistant__voice-status");
    var label = button.querySelector(".assistant__mic-label");
    var maxSeconds = parseFloat(button.dataset.maxSeconds) || 30;
    var state = "idle";
    var recorder = null, stream = null, chunks = [], timer = null, started = 0, cancelled = false;

    function say(message, isError) {
      if (!status) return;
      status.textContent = message || "";
      status.classList.toggle("assistant__voice-status--error", !!isError);
      status.setAttribute("role", isError ? "alert" : "status");
    }

    function setState(next) {
      state = next;
      button.setAttribute("aria-pressed", next === "recording" ? "true" : "false");
      button.setAttribute("aria-busy", next === "uploading" ? "true" : "false");
      button.disabled = next === "uploading";
      label.textContent = next === "recording" ? button.dataset.labelStop : button.dataset.labelStart;
    }

    function releaseMicrophone() {
      if (timer) { clearInterval(timer); timer = null; }
      if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    }

    function tick() {
      var seconds = Math.floor((Date.now() - started) / 1000);
      say(format(button.dataset.msgRecording, { seconds: seconds, max: Math.round(maxSeconds) }));
      // The server refuses clips over the limit; stop a little before it.
      if ((Date.now() - started) / 1000 >= maxSeconds - 0.3) stop(false);
    }

    function start() {
      cancelled = false;
      chunks = [];
      navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } })
        .then(function (s) {
          stream = s;
          var type = pickType();
          var options = { audioBitsPerSecond: 32000 };
          if (type) options.mimeType = type;
          try {
            recorder = new MediaRecorder(stream, options);
          } catch (error) {
            recorder = new MediaRecorder(stream);
          }
          recorder.ondataavailable = function (event) { if (event.data && event.data.size) chunks.push(event.data); };
          recorder.onstop = function () {
            releaseMicrophone();
            if (cancelled) { setState("idle"); say(button.dataset.msgCancelled); return; }
            var mime = (recorder.mimeType || type || "audio/webm");
            upload(new Blob(chunks, { type: mime }), mime);
          };
          recorder.start(1000);
          started = Date.now();
          setState("recording");
          tick();
          timer = setInterval(tick, 500);
        })
        .catch(function () {
          releaseMicrophone();
          setState("idle");
          say(button.dataset.msgDenied, true);
        });
    }

    function stop(cancel) {
      cancelled = !!cancel;
      if (recorder && recorder.state !== "inactive") recorder.stop();
      else { releaseMicrophone(); setState("idle"); }
    }

    function csrfToken() {
      var input = form.querySelector("input[name=csrfmiddlewaretoken]");
      return input ? input.value : "";
    }

    function upload(blob, mime) {
      setState("uploading");
      say(button.dataset.msgUploading);
      var data = new FormData();
      var extension = EXTENSIONS[mime.split(";")[0]] || "webm";
      data.append("audio", blob, "question." + extension);
      data.append("csrfmiddlewaretoken", csrfToken());
      var layout = form.querySelector("input[name=layout]");
      if (layout) data.append("layout", layout.value);
      fetch(button.dataset.voiceUrl, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() }
      })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (result) {
          setState("idle");
          if (!result.ok) {
            say((result.body && result.body.error && result.body.error.message) || button.dataset.msgFailed, true);
            return;
          }
          // Added to what the resident may already have typed, never sent on their behalf.
          var current = textarea.value.trim();
          textarea.value = current ? current + " " + result.body.text : result.body.text;
          textarea.dispatchEvent(new Event("input", { bubbles: true }));
          textarea.focus();
          textarea.setSelectionRange(textarea.value.length, textarea.value.length);
          say(button.dataset.msgDone);
        })
        .catch(function () {
          setState("idle");
          say(button.dataset.msgFailed, true);
        });
    }

    button.addEventListener("click", function () {
      if (state === "idle") start();
      else if (state === "recording") stop(false);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && state === "recording") stop(true);
    });
  }

  // --- read aloud ---------------------------------------------------------------------------

  var SPEECH_LANGUAGES = { ko: "ko-KR", en: "en-US", "zh-hans": "zh-CN", zh: "zh-CN", vi: "vi-VN" };
  var speaking = null;

  function hangulShare(text) {
    var letters = text.match(/\p{L}/gu) || [];
    if (!letters.length) return 0;
    var hangul = letters.filter(function (ch) { return ch >= "\uac00" && ch <= "\ud7a3"; });
    return hangul.length / letters.length;
  }

  function speechLanguage(text) {
    if (hangulShare(text) > 0.5) return "ko-KR";
    var page = (root.lang || "ko").toLowerCase();
    return SPEECH_LANGUAGES[page] || SPEECH_LANGUAGES[page.split("-")[0]] || page;
  }

  function resetSpeak(button) {
    button.setAttribute("aria-pressed", "false");
    if (button.dataset.labelStart) button.textContent = button.dataset.labelStart;
  }

  function speak(button) {
    var wasSpeaking = speaking === button;
    window.speechSynthesis.cancel();
    if (speaking) resetSpeak(speaking);
    speaking = null;
    if (wasSpeaking) return;
    var target = document.getElementById(button.dataset.speak);
    if (!target) return;
    var text = target.innerText.trim();
    if (!text) return;
    var utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = speechLanguage(text);
    var voices = window.speechSynthesis.getVoices() || [];
    var prefix = utterance.lang.toLowerCase();
    for (var i = 0; i < voices.length; i++) {
      if ((voices[i].lang || "").toLowerCase().replace("_", "-") === prefix) { utterance.voice = voices[i]; break; }
    }
    utterance.onend = utterance.onerror = function () {
      if (speaking === button) speaking = null;
      resetSpeak(button);
    };
    button.dataset.labelStart = button.dataset.labelStart || button.textContent;
    button.textContent = button.dataset.labelStop || button.textContent;
    button.setAttribute("aria-pressed", "true");
    speaking = button;
    window.speechSynthesis.speak(utterance);
  }

  // --- wiring -------------------------------------------------------------------------------

  function init(scope) {
    if (!canRecord) return;
    (scope || document).querySelectorAll(".assistant__mic[data-voice-url]").forEach(setupMic);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".assistant__speak");
    if (button && canSpeak) speak(button);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(); });
  else init();
  // Chats swapped in later by htmx.
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
