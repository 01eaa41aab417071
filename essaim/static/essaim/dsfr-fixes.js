// Mends a defect of DSFR 1.14.4 that a fast keyboard user meets, then starts DSFR.
//
// base.html configures DSFR with `mode: "manual"`: otherwise DSFR starts on the first
// animation frame after its module runs, which can come before this deferred file has
// arrived, and its handlers would be bound before the mend. Whatever happens here, DSFR
// is started at the end.
//
// Navigation._keydown, on Tab with a mega-menu open, queues for the next frame a check
// "has the focus left the open menu? then close it". Two Tabs within one frame (a busy
// page, a held key) queue the check twice: the first closes the menu, the second reads
// `this.current.node` of no menu and throws "Cannot read properties of null". Same check,
// guarded; every other key goes to DSFR's own handler.
(function () {
  "use strict";
  var api = window.dsfr;
  if (!api || typeof api.start !== "function") return;
  try {
    var Navigation = api.navigation && api.navigation.Navigation;
    var TAB = api.core && api.core.KeyCodes && api.core.KeyCodes.TAB;
    if (Navigation && TAB && typeof Navigation.prototype._keydown === "function") {
      var keydown = Navigation.prototype._keydown;
      Navigation.prototype._keydown = function (code) {
        if (code !== TAB) return keydown.call(this, code);
        if (!this.hasOpenedMenu) return;
        var navigation = this;
        this.request(function () {
          var open = navigation.current;
          if (open && !open.node.contains(document.activeElement)) navigation.index = -1;
        });
      };
    }
  } finally {
    api.start();
  }
})();
