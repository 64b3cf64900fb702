// A third-party script that places its ad after the page has loaded.
window.addEventListener("load", function () {
  setTimeout(function () {
    var slot = document.createElement("div");
    slot.className = "ad-slot";
    slot.id = "injected-ad";
    slot.innerHTML = '<span class="ad-label">广告</span><a href="https://vape.example.cn/new">电子烟新口味上市，99元一支，全国包邮</a>';
    document.getElementById("late-slot").appendChild(slot);
    // The same ad markup as the page's own unnamed container, inserted after load.
    var box = document.createElement("div");
    box.className = "xq-box-31";
    box.innerHTML = '<em>广告</em><a href="https://home.example.cn/clean">家政保洁首单立减20元</a>';
    document.getElementById("late-slot").appendChild(box);
  }, 100);
});
