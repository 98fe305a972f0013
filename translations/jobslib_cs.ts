<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="cs_CZ">
<context>
    <name>ActionTexts</name>
    <message>
        <source>an unknown host</source>
        <translation>neznámý hostitel</translation>
    </message>
    <message>
        <source>, pid %1</source>
        <translation>, PID %1</translation>
    </message>
    <message>
        <source>an instance that wrote no record</source>
        <translation>instance, která nezapsala žádný záznam</translation>
    </message>
    <message>
        <source>, fencing token %1</source>
        <translation>, fencing token %1</translation>
    </message>
    <message>
        <source>The lock of job %1 is held by %2</source>
        <translation>Zámek úlohy %1 drží %2</translation>
    </message>
    <message>
        <source> since %1 UTC</source>
        <translation> od %1 UTC</translation>
    </message>
    <message>
        <source> (session %1)</source>
        <translation> (relace %1)</translation>
    </message>
    <message>
        <source>Releasing it moves the key to a new lease for a TTL plus 5 s (or the kill grace + 6 s, if longer) and revokes the holder&apos;s lease. The holder notices and stops its task; nobody can acquire the lock until that lease has expired, then a standby takes it.</source>
        <translation>Uvolnění přesune klíč na nový lease s platností jednoho TTL plus 5 s (nebo kill grace + 6 s, je-li delší) a odvolá lease držitele. Držitel to zjistí a zastaví svou práci; dokud tento lease nevyprší, nikdo nemůže zámek získat, pak jej převezme instance ve standby.</translation>
    </message>
    <message>
        <source>Releasing it hands the key to a fence session that nobody renews and destroys the holder&apos;s session. The holder notices and stops its task; nobody can acquire the lock until Consul expires the fence (after the kill grace + 6 s, at least 10 s, up to twice that), then a standby takes it.</source>
        <translation>Uvolnění předá klíč blokovací relaci, kterou nikdo neobnovuje, a zruší relaci držitele. Držitel to zjistí a zastaví svou práci; dokud Consul blokovací relaci nenechá vypršet (po kill grace + 6 s, nejméně 10 s, nejvýše dvojnásobek), nikdo nemůže zámek získat, pak jej převezme instance ve standby.</translation>
    </message>
    <message>
        <source>Release the lock?</source>
        <translation>Uvolnit zámek?</translation>
    </message>
    <message>
        <source>Ask %1 to hand the lock of job %2 over?

The holder finishes its current run, then releases the lock, and a standby takes it. Nothing is interrupted.</source>
        <translation>Požádat o předání zámku úlohy %2? Zámek drží %1.

Držitel dokončí svůj aktuální běh, pak zámek uvolní a převezme jej instance ve standby. Nic se nepřeruší.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>jobslib dashboard</source>
        <translation>jobslib dashboard</translation>
    </message>
    <message>
        <source>Every job: its lock across the datacenters, and under it each instance with its heartbeat</source>
        <translation>Každá úloha: její zámek napříč datacentry a pod ní každá instance s jejím heartbeatem</translation>
    </message>
    <message>
        <source>Run durations and outcomes of the selected job, from InfluxDB</source>
        <translation>Doby trvání a výsledky běhů vybrané úlohy z InfluxDB</translation>
    </message>
    <message>
        <source>&amp;Event log</source>
        <translation>&amp;Protokol událostí</translation>
    </message>
    <message>
        <source>Who released or handed over which lock, when, and how it ended</source>
        <translation>Kdo uvolnil nebo předal který zámek, kdy a jak to dopadlo</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Soubor</translation>
    </message>
    <message>
        <source>&amp;Job</source>
        <translation>Ú&amp;loha</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Zobrazit</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Jazyk</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Nápověda</translation>
    </message>
    <message>
        <source>Main toolbar</source>
        <translation>Hlavní panel nástrojů</translation>
    </message>
    <message>
        <source>&amp;Release lock…</source>
        <translation>&amp;Uvolnit zámek…</translation>
    </message>
    <message>
        <source>Ctrl+R</source>
        <translation>Ctrl+R</translation>
    </message>
    <message>
        <source>Request &amp;handover</source>
        <translation>&amp;Požádat o předání</translation>
    </message>
    <message>
        <source>Ask the holder to release the lock after its current run, so a standby takes over</source>
        <translation>Požádat držitele, aby po aktuálním běhu uvolnil zámek a převzala jej instance ve standby</translation>
    </message>
    <message>
        <source>Ctrl+H</source>
        <translation>Ctrl+H</translation>
    </message>
    <message>
        <source>&amp;Add job from runjob settings…</source>
        <translation>Přid&amp;at úlohu z nastavení runjob…</translation>
    </message>
    <message>
        <source>Read a runjob settings file and watch its job</source>
        <translation>Načíst soubor nastavení runjob a sledovat jeho úlohu</translation>
    </message>
    <message>
        <source>Ctrl+O</source>
        <translation>Ctrl+O</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Nastavení…</translation>
    </message>
    <message>
        <source>Datacenters and jobs to watch</source>
        <translation>Sledovaná datacentra a úlohy</translation>
    </message>
    <message>
        <source>Ctrl+,</source>
        <translation>Ctrl+,</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>U&amp;končit</translation>
    </message>
    <message>
        <source>Ctrl+Q</source>
        <translation>Ctrl+Q</translation>
    </message>
    <message>
        <source>&amp;Show all instances</source>
        <translation>Zobrazit &amp;všechny instance</translation>
    </message>
    <message>
        <source>Expand every job to show its instances</source>
        <translation>Rozbalit všechny úlohy a zobrazit jejich instance</translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <source>&amp;About jobslib dashboard</source>
        <translation>O &amp;aplikaci jobslib dashboard</translation>
    </message>
    <message>
        <source>Hi&amp;story</source>
        <translation>Hi&amp;storie</translation>
    </message>
    <message>
        <source>Free the selected job&apos;s lock: the holder&apos;s Consul session is destroyed (etcd: its lease is revoked) and the holder stops its task</source>
        <translation>Uvolnit zámek vybrané úlohy: Consul relace držitele se zruší (etcd: jeho lease se odvolá) a držitel zastaví svou práci</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Dashboard settings</source>
        <translation>Nastavení dashboardu</translation>
    </message>
    <message>
        <source>&amp;Datacenters</source>
        <translation>&amp;Datacentra</translation>
    </message>
    <message>
        <source>One row per datacenter: the Consul agent (http://host:8500) or the etcd endpoints (comma separated) the dashboard reads there.</source>
        <translation>Jeden řádek pro každé datacentrum: agent Consul (http://host:8500) nebo koncové body etcd (oddělené čárkou), ze kterých tam dashboard čte.</translation>
    </message>
    <message>
        <source>Double-click a cell to edit it</source>
        <translation>Buňku upravíte dvojitým kliknutím</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Název</translation>
    </message>
    <message>
        <source>Backend</source>
        <translation>Backend</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresa</translation>
    </message>
    <message>
        <source>Consul datacenter</source>
        <translation>Datacentrum Consul</translation>
    </message>
    <message>
        <source>CA file</source>
        <translation>Soubor CA</translation>
    </message>
    <message>
        <source>Verify TLS</source>
        <translation>Ověřovat TLS</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Uživatel</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>Přid&amp;at</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Odebrat</translation>
    </message>
    <message>
        <source>Set &amp;token or password…</source>
        <translation>Nastavit &amp;token nebo heslo…</translation>
    </message>
    <message>
        <source>The Consul ACL token or etcd password, stored in the system keychain</source>
        <translation>Token ACL Consul nebo heslo etcd, uložené v systémové klíčence</translation>
    </message>
    <message>
        <source>&amp;Jobs</source>
        <translation>Ú&amp;lohy</translation>
    </message>
    <message>
        <source>Lock key</source>
        <translation>Klíč zámku</translation>
    </message>
    <message>
        <source>Liveness key</source>
        <translation>Klíč živosti</translation>
    </message>
    <message>
        <source>Heartbeat prefix</source>
        <translation>Předpona heartbeatu</translation>
    </message>
    <message>
        <source>InfluxDB URL</source>
        <translation>URL InfluxDB</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>Databáze</translation>
    </message>
    <message>
        <source>InfluxDB user</source>
        <translation>Uživatel InfluxDB</translation>
    </message>
    <message>
        <source>A&amp;dd</source>
        <translation>Př&amp;idat</translation>
    </message>
    <message>
        <source>Add from runjob &amp;settings…</source>
        <translation>Přidat z nastavení &amp;runjob…</translation>
    </message>
    <message>
        <source>Read the lock, liveness and InfluxDB options of a runjob settings file</source>
        <translation>Načíst ze souboru nastavení runjob volby zámku, živosti a InfluxDB</translation>
    </message>
    <message>
        <source>R&amp;emove</source>
        <translation>Ode&amp;brat</translation>
    </message>
    <message>
        <source>Set InfluxDB &amp;password…</source>
        <translation>Nastavit &amp;heslo InfluxDB…</translation>
    </message>
    <message>
        <source>Stored in the system keychain</source>
        <translation>Uloženo v systémové klíčence</translation>
    </message>
</context>
<context>
    <name>jobslib::dashboard::EventLogModel</name>
    <message>
        <source>Release lock</source>
        <translation>Uvolnění zámku</translation>
    </message>
    <message>
        <source>Request handover</source>
        <translation>Žádost o předání</translation>
    </message>
    <message>
        <source>Handover</source>
        <translation>Předání</translation>
    </message>
    <message>
        <source>done</source>
        <translation>hotovo</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>selhalo</translation>
    </message>
    <message>
        <source>requested</source>
        <translation>vyžádáno</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Čas</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>Úloha</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Akce</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Kdo</translation>
    </message>
    <message>
        <source>Holder</source>
        <translation>Držitel</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Výsledek</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Podrobnosti</translation>
    </message>
    <message>
        <source>Take back (nobody took over)</source>
        <translation>Převzetí zpět (nikdo jiný zámek nepřevzal)</translation>
    </message>
</context>
<context>
    <name>jobslib::dashboard::FleetModel</name>
    <message>
        <source>, pid %1</source>
        <translation>, PID %1</translation>
    </message>
    <message>
        <source>held</source>
        <translation>držený</translation>
    </message>
    <message>
        <source>free</source>
        <translation>volný</translation>
    </message>
    <message>
        <source>in lock-delay</source>
        <translation>v lock-delay</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>neznámý</translation>
    </message>
    <message>
        <source>now</source>
        <translation>nyní</translation>
    </message>
    <message numerus="yes">
        <source>%n s</source>
        <translation>
            <numerusform>%n s</numerusform>
            <numerusform>%n s</numerusform>
            <numerusform>%n s</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n min</source>
        <translation>
            <numerusform>%n min</numerusform>
            <numerusform>%n min</numerusform>
            <numerusform>%n min</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h</source>
        <translation>
            <numerusform>%n h</numerusform>
            <numerusform>%n h</numerusform>
            <numerusform>%n h</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n d</source>
        <translation>
            <numerusform>%n d</numerusform>
            <numerusform>%n d</numerusform>
            <numerusform>%n d</numerusform>
        </translation>
    </message>
    <message>
        <source>in %1</source>
        <translation>za %1</translation>
    </message>
    <message>
        <source>%1 ago</source>
        <translation>před %1</translation>
    </message>
    <message>
        <source>Not reachable: %1</source>
        <translation>Nedostupné: %1</translation>
    </message>
    <message>
        <source>More than one datacenter shows a holder: the instances use different lock stores</source>
        <translation>Držitele ukazuje více než jedno datacentrum: instance používají různá úložiště zámků</translation>
    </message>
    <message>
        <source>Free, but nobody can acquire it until the lock-delay ends</source>
        <translation>Volný, ale dokud neskončí lock-delay, nikdo jej nemůže získat</translation>
    </message>
    <message>
        <source>Handover requested by %1</source>
        <translation>O předání požádal uživatel %1</translation>
    </message>
    <message>
        <source>Session or lease %1</source>
        <translation>Relace nebo lease %1</translation>
    </message>
    <message>
        <source>, handover requested</source>
        <translation>, vyžádáno předání</translation>
    </message>
    <message>
        <source>, in several datacenters!</source>
        <translation>, ve více datacentrech!</translation>
    </message>
    <message numerus="yes">
        <source> (lock-delay %n s)</source>
        <translation>
            <numerusform> (lock-delay %n s)</numerusform>
            <numerusform> (lock-delay %n s)</numerusform>
            <numerusform> (lock-delay %n s)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n instance(s)</source>
        <translation>
            <numerusform>%n instance</numerusform>
            <numerusform>%n instance</numerusform>
            <numerusform>%n instancí</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n stale</source>
        <translation>
            <numerusform>, %n neaktuální</numerusform>
            <numerusform>, %n neaktuální</numerusform>
            <numerusform>, %n neaktuální</numerusform>
        </translation>
    </message>
    <message>
        <source>, %1 unreachable</source>
        <translation>, nedostupné: %1</translation>
    </message>
    <message numerus="yes">
        <source>No heartbeat for %n s: the instance is probably gone</source>
        <translation>
            <numerusform>Heartbeat chybí už %n sekundu: instance nejspíš zanikla</numerusform>
            <numerusform>Heartbeat chybí už %n sekundy: instance nejspíš zanikla</numerusform>
            <numerusform>Heartbeat chybí už %n sekund: instance nejspíš zanikla</numerusform>
        </translation>
    </message>
    <message>
        <source>Heartbeat every %1 s</source>
        <translation>Heartbeat každých %1 s</translation>
    </message>
    <message>
        <source>%1, version %2</source>
        <translation>%1, verze %2</translation>
    </message>
    <message>
        <source>%1 (stale)</source>
        <translation>%1 (neaktuální)</translation>
    </message>
    <message>
        <source>Job / instance</source>
        <translation>Úloha / instance</translation>
    </message>
    <message>
        <source>Lock / state</source>
        <translation>Zámek / stav</translation>
    </message>
    <message>
        <source>Holder / datacenter</source>
        <translation>Držitel / datacentrum</translation>
    </message>
    <message>
        <source>Since / heartbeat</source>
        <translation>Od / heartbeat</translation>
    </message>
    <message>
        <source>Fencing token</source>
        <translation>Fencing token</translation>
    </message>
    <message>
        <source>Instances</source>
        <translation>Instance</translation>
    </message>
    <message>
        <source>Last success</source>
        <translation>Poslední úspěch</translation>
    </message>
    <message>
        <source>Last failure</source>
        <translation>Poslední selhání</translation>
    </message>
    <message>
        <source>Next run</source>
        <translation>Další běh</translation>
    </message>
    <message>
        <source>Session/lease TTL</source>
        <translation>TTL relace/lease</translation>
    </message>
    <message>
        <source>running</source>
        <translation>běží</translation>
    </message>
    <message>
        <source>standby</source>
        <translation>v záloze</translation>
    </message>
    <message>
        <source>sleeping</source>
        <translation>spí</translation>
    </message>
    <message>
        <source>failing</source>
        <translation>selhává</translation>
    </message>
    <message>
        <source>stopping</source>
        <translation>končí</translation>
    </message>
    <message>
        <source>handing over</source>
        <translation>předává</translation>
    </message>
</context>
<context>
    <name>jobslib::dashboard::HistoryChart</name>
    <message>
        <source>Loading the history…</source>
        <translation>Načítání historie…</translation>
    </message>
    <message>
        <source>Succeeded</source>
        <translation>Úspěšné</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Neúspěšné</translation>
    </message>
    <message>
        <source>Interrupted</source>
        <translation>Přerušené</translation>
    </message>
    <message>
        <source>Killed</source>
        <translation>Zabité</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>Čekající</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>Neznámé</translation>
    </message>
    <message>
        <source>No status</source>
        <translation>Bez stavu</translation>
    </message>
    <message>
        <source>&amp;Period:</source>
        <translation>&amp;Období:</translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation>Poslední hodina</translation>
    </message>
    <message>
        <source>Last 6 hours</source>
        <translation>Posledních 6 hodin</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>Posledních 24 hodin</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Posledních 7 dní</translation>
    </message>
    <message>
        <source>Can&apos;t read the history: %1</source>
        <translation>Historii nelze načíst: %1</translation>
    </message>
    <message>
        <source>%1 has no runs in this period.</source>
        <translation>%1 nemá v tomto období žádné běhy.</translation>
    </message>
    <message>
        <source>There are too many runs to show each one: the durations show the newest, the counts all of them.</source>
        <translation>Běhů je příliš mnoho na to, aby bylo možné zobrazit každý zvlášť: doby trvání ukazují ty nejnovější, počty všechny.</translation>
    </message>
    <message>
        <source>Duration of each run</source>
        <translation>Doba trvání jednotlivých běhů</translation>
    </message>
    <message>
        <source>Duration (s)</source>
        <translation>Doba trvání (s)</translation>
    </message>
    <message>
        <source>Runs per interval</source>
        <translation>Běhy za interval</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>Běhy</translation>
    </message>
</context>
<context>
    <name>jobslib::dashboard::HistoryController</name>
    <message>
        <source>Select a job to see its history.</source>
        <translation>Vyberte úlohu, jejíž historii chcete zobrazit.</translation>
    </message>
    <message>
        <source>No InfluxDB is set for job %1 (Settings, Jobs).</source>
        <translation>Pro úlohu %1 není nastavena žádná InfluxDB (Nastavení, Úlohy).</translation>
    </message>
    <message>
        <source>Can&apos;t read the history: %1</source>
        <translation>Historii nelze načíst: %1</translation>
    </message>
</context>
<context>
    <name>jobslib::dashboard::LockActions</name>
    <message>
        <source>Another action is still running.</source>
        <translation>Jiná akce ještě probíhá.</translation>
    </message>
    <message>
        <source>No such job or datacenter.</source>
        <translation>Taková úloha nebo datacentrum neexistuje.</translation>
    </message>
    <message>
        <source>Can&apos;t read the lock: %1</source>
        <translation>Zámek nelze přečíst: %1</translation>
    </message>
    <message>
        <source>The lock is already free.</source>
        <translation>Zámek už je volný.</translation>
    </message>
    <message>
        <source>Can&apos;t write the handover request: %1</source>
        <translation>Žádost o předání nelze zapsat: %1</translation>
    </message>
    <message>
        <source>A handover is already requested for this job.</source>
        <translation>O předání této úlohy už bylo požádáno.</translation>
    </message>
    <message>
        <source>Handover requested: the holder releases the lock after its current run.</source>
        <translation>Předání vyžádáno: držitel uvolní zámek po svém aktuálním běhu.</translation>
    </message>
    <message>
        <source>The lock has a new holder since you confirmed; nothing was released. Check the lock again before you retry.</source>
        <translation>Zámek má od vašeho potvrzení nového držitele; nic nebylo uvolněno. Před dalším pokusem zámek znovu zkontrolujte.</translation>
    </message>
</context>
<context>
    <name>jobslib::dashboard::MainWindow</name>
    <message>
        <source>runjob settings file</source>
        <translation>Soubor nastavení runjob</translation>
    </message>
    <message>
        <source>Settings (*.ini *.conf);;All files (*)</source>
        <translation>Nastavení (*.ini *.conf);;Všechny soubory (*)</translation>
    </message>
    <message>
        <source>● %1: unreachable</source>
        <translation>● %1: nedostupné</translation>
    </message>
    <message>
        <source>%1 answers (%2)</source>
        <translation>%1 odpovídá (%2)</translation>
    </message>
    <message>
        <source>%1 cannot be read: %2</source>
        <translation>%1 nelze číst: %2</translation>
    </message>
    <message>
        <source>Release lock</source>
        <translation>Uvolnit zámek</translation>
    </message>
    <message>
        <source>Releasing the lock…</source>
        <translation>Uvolňování zámku…</translation>
    </message>
    <message>
        <source>Request handover</source>
        <translation>Požádat o předání</translation>
    </message>
    <message>
        <source>Added job %1 from %2.</source>
        <translation>Úloha %1 přidána z %2.</translation>
    </message>
    <message>
        <source>The settings were not saved: %1</source>
        <translation>Nastavení nebylo uloženo: %1</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Jazyk systému</translation>
    </message>
    <message>
        <source>About jobslib dashboard</source>
        <translation>O aplikaci jobslib dashboard</translation>
    </message>
    <message>
        <source>&lt;h3&gt;jobslib dashboard %1&lt;/h3&gt;&lt;p&gt;Watches periodic jobs that run with one active instance across datacenters: who holds each lock, the liveness of every instance, and the history of their runs.&lt;/p&gt;&lt;p&gt;BSD-3-Clause licence.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;jobslib dashboard %1&lt;/h3&gt;&lt;p&gt;Sleduje periodické úlohy, které běží s jednou aktivní instancí napříč datacentry: kdo drží který zámek, živost každé instance a historii jejich běhů.&lt;/p&gt;&lt;p&gt;Licence BSD-3-Clause.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>The system keychain is not available (%1): tokens and passwords are kept until the dashboard quits.</source>
        <translation>Systémová klíčenka není dostupná (%1): tokeny a hesla se uchovají jen do ukončení dashboardu.</translation>
    </message>
</context>
<context>
    <name>jobslib::dashboard::SettingsDialog</name>
    <message>
        <source>datacenter %1</source>
        <translation>datacentrum %1</translation>
    </message>
    <message>
        <source>Consul token or etcd password of datacenter %1:</source>
        <translation>Token Consul nebo heslo etcd datacentra %1:</translation>
    </message>
    <message>
        <source>job %1</source>
        <translation>úloha %1</translation>
    </message>
    <message>
        <source>runjob settings file</source>
        <translation>Soubor nastavení runjob</translation>
    </message>
    <message>
        <source>Settings (*.ini *.conf);;All files (*)</source>
        <translation>Nastavení (*.ini *.conf);;Všechny soubory (*)</translation>
    </message>
    <message>
        <source>InfluxDB password of job %1:</source>
        <translation>Heslo InfluxDB úlohy %1:</translation>
    </message>
    <message>
        <source>Tokens and passwords are stored in the system keychain, never in the settings file.</source>
        <translation>Tokeny a hesla se ukládají do systémové klíčenky, nikdy do souboru nastavení.</translation>
    </message>
    <message>
        <source>Secret</source>
        <translation>Tajný údaj</translation>
    </message>
    <message>
        <source>The system keychain is not available (%1): tokens and passwords are kept until the dashboard quits.</source>
        <translation>Systémová klíčenka není dostupná (%1): tokeny a hesla se uchovají jen do ukončení dashboardu.</translation>
    </message>
    <message>
        <source>Not stored in the keychain (%1); kept until the dashboard quits.</source>
        <translation>Neuloženo do klíčenky (%1); uchová se jen do ukončení dashboardu.</translation>
    </message>
</context>
</TS>
