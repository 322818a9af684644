"""Labelled domain samples for the DGA-likeness tests (imported by test_dga.py).

DGA: example domains of character-based DGA families as listed in the README of
Johannes Bader's reimplementations (github.com/baderj/domain_generation_algorithms,
each family reverse-engineered from real malware). Word-list families (gozi,
nymaim2, pizd, suppobox, matsnu) are left out on purpose: they glue dictionary
words together and are not what a character-statistics score can catch.

Benign: well-known sites and services (most-visited-site lists), plus the
destinations of the bundled demo lake.
"""

DGA = [
    # chinad
    "8f6bacmw30xxv6sc.cn",
    "486txu3yjly0xcmz.ru",
    "xmi6x8zg9rkanmyo.info",
    "kz89iy97c7n7vbur.biz",
    # corebot (dynamic DNS)
    "lkhylm0mhyfuhg.ddns.net",
    "afe6mfy23xcxgfa.ddns.net",
    "ubgp1f1han7lu410eh5.ddns.net",
    # dircrypt
    "mluztamhnngwgh.com",
    "mycojenxktsmozzthdv.com",
    "inbxvqkegoyapgv.com",
    "wyuhdsdttczd.com",
    # dnschanger
    "aktklyvbiu.com",
    "zgimjzlnrl.com",
    "ydvlfpkguw.com",
    # fobber
    "vhkintjtksyxgjrzz.net",
    "btpnxlsfdqbhzazyx.net",
    "gwrdmhyjfcpcutmhp.net",
    # locky
    "gegjiimqmlgtdmk.tf",
    "qtysmobytagnrv.it",
    "suhpqiumpjsv.ru",
    # murofet
    "giywswshrgxcvoqgvrkthmfa.ru",
    "xaiqpbprgymbvrwmzgiyprgdsk.com",
    "hykpttqsxsmvkoc.info",
    "nxlya47huo61czerb18o51e11d30i55gycwe31lx.ru",
    # necurs
    "nccojqvabqvkiwhj.mx",
    "mfffpmgtplxbyagbtegh.com",
    "thlxuwnadtdtsm.biz",
    # newgoz
    "xzz3ug32bale1uo60y7xj6rge.com",
    "1hyzmw3l2phycet88hzr2do34.net",
    "183t0wjzlthe51wigptk4rl29.org",
    # qadars
    "jk9enwhansl2.org",
    "sdqfodmf81m7.net",
    "0t67c5arw9yf.net",
    # qakbot
    "bqkrtxgkmriwsiwcngtivpx.info",
    "jdtmfupdyueqeldvhsjzdvzob.net",
    "ztvflnxqzpxvpfobv.biz",
    # ramnit
    "knpqxlxcwtlvgrdyhd.com",
    "hgyudheedieibxy.com",
    "itktxexjghvvxa.com",
    # ranbyus
    "ikwoqkwuajpbyx.com",
    "rcnxisuibbadng.in",
    "jnbnyrmxmpblfgstk.tw",
    # shiotob
    "rwmu35avqo12tqc.com",
    "rbp9pprrxgflut9.com",
    "pd4o4wu24vimn.com",
    # sharkbot
    "64f30398ecda3bbf.xyz",
    "cfbadaf0cd7b0ac3.com",
    # pykspa
    "owhadwkskevw.net",
    "nkndlzhjgrpc.info",
]

BENIGN = [
    "google.com",
    "www.youtube.com",
    "facebook.com",
    "wikipedia.org",
    "instagram.com",
    "twitter.com",
    "linkedin.com",
    "amazon.com",
    "netflix.com",
    "microsoft.com",
    "apple.com",
    "yahoo.com",
    "bing.com",
    "github.com",
    "stackoverflow.com",
    "reddit.com",
    "whatsapp.com",
    "zoom.us",
    "dropbox.com",
    "salesforce.com",
    "adobe.com",
    "paypal.com",
    "ebay.com",
    "cloudflare.com",
    "mozilla.org",
    "python.org",
    "ubuntu.com",
    "debian.org",
    "nytimes.com",
    "bbc.co.uk",
    "theguardian.com",
    "cnn.com",
    "weather.com",
    "booking.com",
    "tripadvisor.com",
    "spotify.com",
    "twitch.tv",
    "pinterest.com",
    "tumblr.com",
    "wordpress.org",
    "office.com",
    "live.com",
    "outlook.office365.com",
    "login.microsoftonline.com",
    "teams.microsoft.com",
    "contoso.sharepoint.com",
    "graph.microsoft.com",
    "settings-win.data.microsoft.com",
    "windowsupdate.com",
    "akamai.net",
    "fastly.com",
    "digicert.com",
    "letsencrypt.org",
    "slack.com",
    "atlassian.net",
    "okta.com",
    "duckduckgo.com",
    "wellsfargo.com",
    "chase.com",
    "bankofamerica.com",
    "walmart.com",
    "target.com",
    "bücher.de",
    "mail.ru",
    "yandex.ru",
    "baidu.com",
    "qq.com",
    "taobao.com",
    "rakuten.co.jp",
]
