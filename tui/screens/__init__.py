"""The app's screens. A screen never imports another screen: the app owns navigation.

Worker results come back one way, as messages (screens, widgets, dialogs and the app alike). A
thread worker touches no widget: it posts what it found to the node that ran it as a nested
``@dataclass`` Message of plain values, ``bubble=False`` (``self.post_message(self.Loaded(view))``;
``post_message`` is thread-safe), and a handler on that node shows it (``@on(Loaded)``; in a plain
mixin, which ``@on`` does not reach, ``on_<class>_<message>``). The messages of one worker arrive
in the order it posted them, after what was posted before. A worker may also tell the person from
its thread with ``notify``, which posts to the app. An async worker awaits a thread's result
instead (``tui.dialogs.flows.in_thread``). ``call_from_thread`` is left for a thread that must wait
for the UI's answer, and none does today.
"""
