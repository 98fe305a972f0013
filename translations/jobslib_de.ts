<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>ActionTexts</name>
    <message>
        <source>an unknown host</source>
        <translation>ein unbekannter Host</translation>
    </message>
    <message>
        <source>, pid %1</source>
        <translation>, PID %1</translation>
    </message>
    <message>
        <source>an instance that wrote no record</source>
        <translation>eine Instanz, die keinen Eintrag geschrieben hat</translation>
    </message>
    <message>
        <source>, fencing token %1</source>
        <translation>, Fencing-Token %1</translation>
    </message>
    <message>
        <source>The lock of job %1 is held by %2</source>
        <translation>Inhaber der Sperre von Job %1 ist %2</translation>
    </message>
    <message>
        <source> since %1 UTC</source>
        <translation> seit %1 UTC</translation>
    </message>
    <message>
        <source> (session %1)</source>
        <translation> (Session %1)</translation>
    </message>
    <message>
        <source>Releasing it moves the key to a new lease for a TTL plus 5 s (or the kill grace + 6 s, if longer) and revokes the holder&apos;s lease. The holder notices and stops its task; nobody can acquire the lock until that lease has expired, then a standby takes it.</source>
        <translation>Die Freigabe verschiebt den Schlüssel für eine TTL plus 5 s (oder die Kill-Grace + 6 s, falls länger) auf ein neues Lease und widerruft das Lease des Inhabers. Der Inhaber bemerkt dies und beendet seine Aufgabe; bis dieses Lease abgelaufen ist, kann niemand die Sperre erhalten, danach übernimmt sie eine Standby-Instanz.</translation>
    </message>
    <message>
        <source>Releasing it hands the key to a fence session that nobody renews and destroys the holder&apos;s session. The holder notices and stops its task; nobody can acquire the lock until Consul expires the fence (after the kill grace + 6 s, at least 10 s, up to twice that), then a standby takes it.</source>
        <translation>Die Freigabe übergibt den Schlüssel an eine Sperr-Session, die niemand erneuert, und zerstört die Session des Inhabers. Der Inhaber bemerkt dies und beendet seine Aufgabe; niemand kann die Sperre erhalten, bis Consul die Sperr-Session ablaufen lässt (nach der Kill-Grace + 6 s, mindestens 10 s, bis zum Doppelten davon), danach übernimmt sie eine Standby-Instanz.</translation>
    </message>
    <message>
        <source>Release the lock?</source>
        <translation>Sperre freigeben?</translation>
    </message>
    <message>
        <source>Ask %1 to hand the lock of job %2 over?

The holder finishes its current run, then releases the lock, and a standby takes it. Nothing is interrupted.</source>
        <translation>Übergabe der Sperre von Job %2 anfordern? Inhaber ist %1.

Der Inhaber beendet seinen aktuellen Lauf, gibt dann die Sperre frei, und eine Standby-Instanz übernimmt sie. Nichts wird unterbrochen.</translation>
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
        <translation>Jeder Job: seine Sperre über alle Rechenzentren und darunter jede Instanz mit ihrem Heartbeat</translation>
    </message>
    <message>
        <source>Run durations and outcomes of the selected job, from InfluxDB</source>
        <translation>Laufzeiten und Ergebnisse des ausgewählten Jobs, aus InfluxDB</translation>
    </message>
    <message>
        <source>&amp;Event log</source>
        <translation>&amp;Ereignisprotokoll</translation>
    </message>
    <message>
        <source>Who released or handed over which lock, when, and how it ended</source>
        <translation>Wer welche Sperre wann freigegeben oder übergeben hat und wie es ausging</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Job</source>
        <translation>&amp;Job</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Sprache</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>Main toolbar</source>
        <translation>Hauptwerkzeugleiste</translation>
    </message>
    <message>
        <source>&amp;Release lock…</source>
        <translation>Sperre &amp;freigeben…</translation>
    </message>
    <message>
        <source>Ctrl+R</source>
        <translation>Ctrl+R</translation>
    </message>
    <message>
        <source>Request &amp;handover</source>
        <translation>Übergabe &amp;anfordern</translation>
    </message>
    <message>
        <source>Ask the holder to release the lock after its current run, so a standby takes over</source>
        <translation>Den Inhaber bitten, die Sperre nach seinem aktuellen Lauf freizugeben, damit eine Standby-Instanz übernimmt</translation>
    </message>
    <message>
        <source>Ctrl+H</source>
        <translation>Ctrl+H</translation>
    </message>
    <message>
        <source>&amp;Add job from runjob settings…</source>
        <translation>Job aus runjob-Einstellungen &amp;hinzufügen…</translation>
    </message>
    <message>
        <source>Read a runjob settings file and watch its job</source>
        <translation>Eine runjob-Einstellungsdatei lesen und ihren Job überwachen</translation>
    </message>
    <message>
        <source>Ctrl+O</source>
        <translation>Ctrl+O</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>Datacenters and jobs to watch</source>
        <translation>Zu überwachende Rechenzentren und Jobs</translation>
    </message>
    <message>
        <source>Ctrl+,</source>
        <translation>Ctrl+,</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>Ctrl+Q</source>
        <translation>Ctrl+Q</translation>
    </message>
    <message>
        <source>&amp;Show all instances</source>
        <translation>Alle &amp;Instanzen anzeigen</translation>
    </message>
    <message>
        <source>Expand every job to show its instances</source>
        <translation>Alle Jobs aufklappen, um ihre Instanzen anzuzeigen</translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <source>&amp;About jobslib dashboard</source>
        <translation>Ü&amp;ber jobslib dashboard</translation>
    </message>
    <message>
        <source>Hi&amp;story</source>
        <translation>Verl&amp;auf</translation>
    </message>
    <message>
        <source>Free the selected job&apos;s lock: the holder&apos;s Consul session is destroyed (etcd: its lease is revoked) and the holder stops its task</source>
        <translation>Sperre des ausgewählten Jobs freigeben: Die Consul-Session des Inhabers wird beendet (etcd: sein Lease wird widerrufen) und der Inhaber stoppt seine Aufgabe</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Dashboard settings</source>
        <translation>Dashboard-Einstellungen</translation>
    </message>
    <message>
        <source>&amp;Datacenters</source>
        <translation>&amp;Rechenzentren</translation>
    </message>
    <message>
        <source>One row per datacenter: the Consul agent (http://host:8500) or the etcd endpoints (comma separated) the dashboard reads there.</source>
        <translation>Eine Zeile pro Rechenzentrum: der Consul-Agent (http://host:8500) oder die etcd-Endpunkte (durch Kommas getrennt), die das Dashboard dort liest.</translation>
    </message>
    <message>
        <source>Double-click a cell to edit it</source>
        <translation>Zum Bearbeiten doppelt auf eine Zelle klicken</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Backend</source>
        <translation>Backend</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Consul datacenter</source>
        <translation>Consul-Rechenzentrum</translation>
    </message>
    <message>
        <source>CA file</source>
        <translation>CA-Datei</translation>
    </message>
    <message>
        <source>Verify TLS</source>
        <translation>TLS prüfen</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <source>Set &amp;token or password…</source>
        <translation>&amp;Token oder Passwort festlegen…</translation>
    </message>
    <message>
        <source>The Consul ACL token or etcd password, stored in the system keychain</source>
        <translation>Das Consul-ACL-Token oder etcd-Passwort, im System-Schlüsselbund gespeichert</translation>
    </message>
    <message>
        <source>&amp;Jobs</source>
        <translation>&amp;Jobs</translation>
    </message>
    <message>
        <source>Lock key</source>
        <translation>Sperrschlüssel</translation>
    </message>
    <message>
        <source>Liveness key</source>
        <translation>Liveness-Schlüssel</translation>
    </message>
    <message>
        <source>Heartbeat prefix</source>
        <translation>Heartbeat-Präfix</translation>
    </message>
    <message>
        <source>InfluxDB URL</source>
        <translation>InfluxDB-URL</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>Datenbank</translation>
    </message>
    <message>
        <source>InfluxDB user</source>
        <translation>InfluxDB-Benutzer</translation>
    </message>
    <message>
        <source>A&amp;dd</source>
        <translation>Hin&amp;zufügen</translation>
    </message>
    <message>
        <source>Add from runjob &amp;settings…</source>
        <translation>Aus runjob-Ein&amp;stellungen hinzufügen…</translation>
    </message>
    <message>
        <source>Read the lock, liveness and InfluxDB options of a runjob settings file</source>
        <translation>Die Sperr-, Liveness- und InfluxDB-Optionen aus einer runjob-Einstellungsdatei lesen</translation>
    </message>
    <message>
        <source>R&amp;emove</source>
        <translation>Ent&amp;fernen</translation>
    </message>
    <message>
        <source>Set InfluxDB &amp;password…</source>
        <translation>InfluxDB-&amp;Passwort festlegen…</translation>
    </message>
    <message>
        <source>Stored in the system keychain</source>
        <translation>Im System-Schlüsselbund gespeichert</translation>
    </message>
</context>
<context>
    <name>jobslib::dashboard::EventLogModel</name>
    <message>
        <source>Release lock</source>
        <translation>Freigabe der Sperre</translation>
    </message>
    <message>
        <source>Request handover</source>
        <translation>Übergabeanforderung</translation>
    </message>
    <message>
        <source>Handover</source>
        <translation>Übergabe</translation>
    </message>
    <message>
        <source>done</source>
        <translation>erledigt</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>requested</source>
        <translation>angefordert</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>Job</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Wer</translation>
    </message>
    <message>
        <source>Holder</source>
        <translation>Inhaber</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>Take back (nobody took over)</source>
        <translation>Zurücknahme (niemand hat übernommen)</translation>
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
        <translation>gehalten</translation>
    </message>
    <message>
        <source>free</source>
        <translation>frei</translation>
    </message>
    <message>
        <source>in lock-delay</source>
        <translation>im lock-delay</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>now</source>
        <translation>jetzt</translation>
    </message>
    <message numerus="yes">
        <source>%n s</source>
        <translation>
            <numerusform>%n s</numerusform>
            <numerusform>%n s</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n min</source>
        <translation>
            <numerusform>%n min</numerusform>
            <numerusform>%n min</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h</source>
        <translation>
            <numerusform>%n h</numerusform>
            <numerusform>%n h</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n d</source>
        <translation>
            <numerusform>%n d</numerusform>
            <numerusform>%n d</numerusform>
        </translation>
    </message>
    <message>
        <source>in %1</source>
        <translation>in %1</translation>
    </message>
    <message>
        <source>%1 ago</source>
        <translation>vor %1</translation>
    </message>
    <message>
        <source>Not reachable: %1</source>
        <translation>Nicht erreichbar: %1</translation>
    </message>
    <message>
        <source>More than one datacenter shows a holder: the instances use different lock stores</source>
        <translation>Mehr als ein Rechenzentrum zeigt einen Inhaber: Die Instanzen verwenden unterschiedliche Sperrspeicher</translation>
    </message>
    <message>
        <source>Free, but nobody can acquire it until the lock-delay ends</source>
        <translation>Frei, aber bis zum Ende des lock-delay kann niemand sie erhalten</translation>
    </message>
    <message>
        <source>Handover requested by %1</source>
        <translation>Übergabe angefordert von %1</translation>
    </message>
    <message>
        <source>Session or lease %1</source>
        <translation>Session oder Lease %1</translation>
    </message>
    <message>
        <source>, handover requested</source>
        <translation>, Übergabe angefordert</translation>
    </message>
    <message>
        <source>, in several datacenters!</source>
        <translation>, in mehreren Rechenzentren!</translation>
    </message>
    <message numerus="yes">
        <source> (lock-delay %n s)</source>
        <translation>
            <numerusform> (lock-delay %n s)</numerusform>
            <numerusform> (lock-delay %n s)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n instance(s)</source>
        <translation>
            <numerusform>%n Instanz</numerusform>
            <numerusform>%n Instanzen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n stale</source>
        <translation>
            <numerusform>, %n veraltet</numerusform>
            <numerusform>, %n veraltet</numerusform>
        </translation>
    </message>
    <message>
        <source>, %1 unreachable</source>
        <translation>, %1 nicht erreichbar</translation>
    </message>
    <message numerus="yes">
        <source>No heartbeat for %n s: the instance is probably gone</source>
        <translation>
            <numerusform>Seit %n Sekunde kein Heartbeat: Die Instanz existiert wahrscheinlich nicht mehr</numerusform>
            <numerusform>Seit %n Sekunden kein Heartbeat: Die Instanz existiert wahrscheinlich nicht mehr</numerusform>
        </translation>
    </message>
    <message>
        <source>Heartbeat every %1 s</source>
        <translation>Heartbeat alle %1 s</translation>
    </message>
    <message>
        <source>%1, version %2</source>
        <translation>%1, Version %2</translation>
    </message>
    <message>
        <source>%1 (stale)</source>
        <translation>%1 (veraltet)</translation>
    </message>
    <message>
        <source>Job / instance</source>
        <translation>Job / Instanz</translation>
    </message>
    <message>
        <source>Lock / state</source>
        <translation>Sperre / Zustand</translation>
    </message>
    <message>
        <source>Holder / datacenter</source>
        <translation>Inhaber / Rechenzentrum</translation>
    </message>
    <message>
        <source>Since / heartbeat</source>
        <translation>Seit / Heartbeat</translation>
    </message>
    <message>
        <source>Fencing token</source>
        <translation>Fencing-Token</translation>
    </message>
    <message>
        <source>Instances</source>
        <translation>Instanzen</translation>
    </message>
    <message>
        <source>Last success</source>
        <translation>Letzter Erfolg</translation>
    </message>
    <message>
        <source>Last failure</source>
        <translation>Letzter Fehlschlag</translation>
    </message>
    <message>
        <source>Next run</source>
        <translation>Nächster Lauf</translation>
    </message>
    <message>
        <source>Session/lease TTL</source>
        <translation>TTL der Session/des Lease</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>standby</source>
        <translation>Standby</translation>
    </message>
    <message>
        <source>sleeping</source>
        <translation>schläft</translation>
    </message>
    <message>
        <source>failing</source>
        <translation>schlägt fehl</translation>
    </message>
    <message>
        <source>stopping</source>
        <translation>beendet sich</translation>
    </message>
    <message>
        <source>handing over</source>
        <translation>übergibt</translation>
    </message>
</context>
<context>
    <name>jobslib::dashboard::HistoryChart</name>
    <message>
        <source>Loading the history…</source>
        <translation>Verlauf wird geladen…</translation>
    </message>
    <message>
        <source>Succeeded</source>
        <translation>Erfolgreich</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Interrupted</source>
        <translation>Unterbrochen</translation>
    </message>
    <message>
        <source>Killed</source>
        <translation>Zwangsbeendet</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>Ausstehend</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>Unbekannt</translation>
    </message>
    <message>
        <source>No status</source>
        <translation>Ohne Status</translation>
    </message>
    <message>
        <source>&amp;Period:</source>
        <translation>&amp;Zeitraum:</translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation>Letzte Stunde</translation>
    </message>
    <message>
        <source>Last 6 hours</source>
        <translation>Letzte 6 Stunden</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>Letzte 24 Stunden</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <source>Can&apos;t read the history: %1</source>
        <translation>Verlauf kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>%1 has no runs in this period.</source>
        <translation>%1 hat in diesem Zeitraum keine Läufe.</translation>
    </message>
    <message>
        <source>There are too many runs to show each one: the durations show the newest, the counts all of them.</source>
        <translation>Es gibt zu viele Läufe, um jeden einzeln anzuzeigen: Die Dauern zeigen die neuesten, die Anzahlen alle.</translation>
    </message>
    <message>
        <source>Duration of each run</source>
        <translation>Dauer jedes Laufs</translation>
    </message>
    <message>
        <source>Duration (s)</source>
        <translation>Dauer (s)</translation>
    </message>
    <message>
        <source>Runs per interval</source>
        <translation>Läufe pro Intervall</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>Läufe</translation>
    </message>
</context>
<context>
    <name>jobslib::dashboard::HistoryController</name>
    <message>
        <source>Select a job to see its history.</source>
        <translation>Einen Job auswählen, um seinen Verlauf anzuzeigen.</translation>
    </message>
    <message>
        <source>No InfluxDB is set for job %1 (Settings, Jobs).</source>
        <translation>Für Job %1 ist keine InfluxDB eingerichtet (Einstellungen, Jobs).</translation>
    </message>
    <message>
        <source>Can&apos;t read the history: %1</source>
        <translation>Verlauf kann nicht gelesen werden: %1</translation>
    </message>
</context>
<context>
    <name>jobslib::dashboard::LockActions</name>
    <message>
        <source>Another action is still running.</source>
        <translation>Eine andere Aktion läuft noch.</translation>
    </message>
    <message>
        <source>No such job or datacenter.</source>
        <translation>Job oder Rechenzentrum nicht vorhanden.</translation>
    </message>
    <message>
        <source>Can&apos;t read the lock: %1</source>
        <translation>Sperre kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>The lock is already free.</source>
        <translation>Die Sperre ist bereits frei.</translation>
    </message>
    <message>
        <source>Can&apos;t write the handover request: %1</source>
        <translation>Übergabeanforderung kann nicht geschrieben werden: %1</translation>
    </message>
    <message>
        <source>A handover is already requested for this job.</source>
        <translation>Für diesen Job ist bereits eine Übergabe angefordert.</translation>
    </message>
    <message>
        <source>Handover requested: the holder releases the lock after its current run.</source>
        <translation>Übergabe angefordert: Der Inhaber gibt die Sperre nach seinem aktuellen Lauf frei.</translation>
    </message>
    <message>
        <source>The lock has a new holder since you confirmed; nothing was released. Check the lock again before you retry.</source>
        <translation>Die Sperre hat seit der Bestätigung einen neuen Inhaber; es wurde nichts freigegeben. Vor einem neuen Versuch die Sperre erneut prüfen.</translation>
    </message>
</context>
<context>
    <name>jobslib::dashboard::MainWindow</name>
    <message>
        <source>runjob settings file</source>
        <translation>runjob-Einstellungsdatei</translation>
    </message>
    <message>
        <source>Settings (*.ini *.conf);;All files (*)</source>
        <translation>Einstellungen (*.ini *.conf);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>● %1: unreachable</source>
        <translation>● %1: nicht erreichbar</translation>
    </message>
    <message>
        <source>%1 answers (%2)</source>
        <translation>%1 antwortet (%2)</translation>
    </message>
    <message>
        <source>%1 cannot be read: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>Release lock</source>
        <translation>Sperre freigeben</translation>
    </message>
    <message>
        <source>Releasing the lock…</source>
        <translation>Sperre wird freigegeben…</translation>
    </message>
    <message>
        <source>Request handover</source>
        <translation>Übergabe anfordern</translation>
    </message>
    <message>
        <source>Added job %1 from %2.</source>
        <translation>Job %1 aus %2 hinzugefügt.</translation>
    </message>
    <message>
        <source>The settings were not saved: %1</source>
        <translation>Die Einstellungen wurden nicht gespeichert: %1</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <source>About jobslib dashboard</source>
        <translation>Über jobslib dashboard</translation>
    </message>
    <message>
        <source>&lt;h3&gt;jobslib dashboard %1&lt;/h3&gt;&lt;p&gt;Watches periodic jobs that run with one active instance across datacenters: who holds each lock, the liveness of every instance, and the history of their runs.&lt;/p&gt;&lt;p&gt;BSD-3-Clause licence.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;jobslib dashboard %1&lt;/h3&gt;&lt;p&gt;Überwacht periodische Jobs, die rechenzentrumsübergreifend mit einer aktiven Instanz laufen: wer welche Sperre hält, die Liveness jeder Instanz und den Verlauf ihrer Läufe.&lt;/p&gt;&lt;p&gt;BSD-3-Clause-Lizenz.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>The system keychain is not available (%1): tokens and passwords are kept until the dashboard quits.</source>
        <translation>Der System-Schlüsselbund ist nicht verfügbar (%1): Tokens und Passwörter werden nur bis zum Beenden des Dashboards behalten.</translation>
    </message>
</context>
<context>
    <name>jobslib::dashboard::SettingsDialog</name>
    <message>
        <source>datacenter %1</source>
        <translation>Rechenzentrum %1</translation>
    </message>
    <message>
        <source>Consul token or etcd password of datacenter %1:</source>
        <translation>Consul-Token oder etcd-Passwort von Rechenzentrum %1:</translation>
    </message>
    <message>
        <source>job %1</source>
        <translation>Job %1</translation>
    </message>
    <message>
        <source>runjob settings file</source>
        <translation>runjob-Einstellungsdatei</translation>
    </message>
    <message>
        <source>Settings (*.ini *.conf);;All files (*)</source>
        <translation>Einstellungen (*.ini *.conf);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>InfluxDB password of job %1:</source>
        <translation>InfluxDB-Passwort von Job %1:</translation>
    </message>
    <message>
        <source>Tokens and passwords are stored in the system keychain, never in the settings file.</source>
        <translation>Tokens und Passwörter werden im System-Schlüsselbund gespeichert, nie in der Einstellungsdatei.</translation>
    </message>
    <message>
        <source>Secret</source>
        <translation>Zugangsdaten</translation>
    </message>
    <message>
        <source>The system keychain is not available (%1): tokens and passwords are kept until the dashboard quits.</source>
        <translation>Der System-Schlüsselbund ist nicht verfügbar (%1): Tokens und Passwörter werden nur bis zum Beenden des Dashboards behalten.</translation>
    </message>
    <message>
        <source>Not stored in the keychain (%1); kept until the dashboard quits.</source>
        <translation>Nicht im Schlüsselbund gespeichert (%1); wird nur bis zum Beenden des Dashboards behalten.</translation>
    </message>
</context>
</TS>
