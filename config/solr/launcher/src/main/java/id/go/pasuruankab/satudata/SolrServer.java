package id.go.pasuruankab.satudata;

import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * Starts a standalone Solr node bound to 127.0.0.1.
 *
 * <p>Usage: {@code SolrServer <solr-home> <port>}. Runs until killed; the JVM shutdown
 * hook stops Jetty and closes the cores cleanly.
 */
public final class SolrServer {
    private SolrServer() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: SolrServer <solr-home> <port>");
            System.exit(2);
        }
        String home = args[0];
        int port = Integer.parseInt(args[1]);
        System.setProperty("solr.solr.home", home);
        System.setProperty("host", "127.0.0.1");

        JettyConfig config = JettyConfig.builder()
                .setPort(port)
                .setContext("/solr")
                .stopAtShutdown(true)
                .build();
        JettySolrRunner runner = new JettySolrRunner(home, config);
        runner.start();
        System.out.println("Solr started on http://127.0.0.1:" + port + "/solr");
        Thread.currentThread().join();
    }
}
