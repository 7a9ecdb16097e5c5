/* Embed a contest in a portal page:
   <script src="https://HOST/embed.js" data-contest="SLUG" async></script> */
(() => {
  const me = document.currentScript;
  if (!me) return;
  const base = new URL(me.src).origin;
  const slug = encodeURIComponent(me.dataset.contest || '');
  const frame = document.createElement('iframe');
  frame.src = `${base}/?embed=1#/c/${slug}`;
  frame.title = me.dataset.title || 'Cuộc thi tìm hiểu pháp luật trực tuyến';
  frame.loading = 'lazy';
  frame.style.cssText = 'border:0;width:100%;max-width:480px;height:' + (me.dataset.height || '640') + 'px';
  me.replaceWith(frame);
})();
