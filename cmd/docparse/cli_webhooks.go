package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/docparse/docparse/client"
	"github.com/docparse/docparse/wire"
)

const webhooksUsage = `usage: docparse webhooks COMMAND
  list                                        list endpoints
  create --url URL [--events T1,T2] [--description D]
                                              register an endpoint; prints its secret once
  test ENDPOINT_ID                            send a signed endpoint.test now
  rotate ENDPOINT_ID [--grace 24h]            new secret; the old one also signs during the grace period
  enable|disable ENDPOINT_ID                  turn deliveries on or off
  delete ENDPOINT_ID                          remove an endpoint
  attempts ENDPOINT_ID [--limit N]            recent delivery attempts, newest first
  listen --port N --secret whsec_...          run a local receiver that verifies and prints deliveries`

// webhooksCmd: docparse webhooks ...
func webhooksCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, webhooksUsage)
		return errUsage
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "listen":
		return listenCmd(ctx, args, getenv, stdout, stderr)
	case "list":
		c := newCLI(ctx, "webhooks list", "webhooks list", getenv, stdout, stderr)
		_, api, err := c.parseClient(args, 0, 0)
		if err != nil {
			return err
		}
		return printList(c, api.ListWebhookEndpoints(ctx, client.ListParams{Limit: 100}), "ENDPOINT\tURL\tSTATUS\tEVENTS\tLAST SUCCESS", func(e client.WebhookEndpoint) []string {
			types := "all"
			if len(e.EventTypes) > 0 {
				types = strings.Join(e.EventTypes, ",")
			}
			return []string{e.ID, e.URL, e.Status, types, fmtTime(e.LastSuccessAt)}
		})
	case "create":
		c := newCLI(ctx, "webhooks create", "webhooks create --url URL [--events T1,T2] [--description D]", getenv, stdout, stderr)
		url := c.requiredString("url", "https:// URL that receives the events")
		events := c.fs.String("events", "", "comma-separated event types (default: all)")
		desc := c.fs.String("description", "", "a note for people")
		if _, err := c.parse(args, 0, 0); err != nil {
			return err
		}
		p := client.WebhookEndpointParams{URL: *url, Description: *desc, EventTypes: wire.SplitEventTypes(*events)}
		return create(c, p, (*client.Client).CreateWebhookEndpoint, func(e *client.CreatedWebhookEndpoint) {
			fmt.Fprintf(stdout, "endpoint %s\nsecret   %s\n", e.WebhookEndpoint.ID, e.Secret)
			fmt.Fprintln(stderr, "Keep the secret: it is shown only now. Verify deliveries with it.")
		})
	case "test", "delete", "enable", "disable":
		c := newCLI(ctx, "webhooks "+sub, "webhooks "+sub+" ENDPOINT_ID", getenv, stdout, stderr)
		pos, api, err := c.parseClient(args, 1, 1)
		if err != nil {
			return err
		}
		id := pos[0]
		switch sub {
		case "test":
			r, err := api.TestWebhookEndpoint(ctx, id)
			if err != nil {
				return apiError(stderr, err)
			}
			if c.asJSON {
				return c.printJSON(r)
			}
			status := "no answer"
			if r.StatusCode != nil {
				status = strconv.Itoa(*r.StatusCode)
			}
			fmt.Fprintf(stdout, "status %s in %.1f ms\n", status, r.LatencyMS)
			if r.Error != nil {
				fmt.Fprintf(stdout, "error: %s\n", *r.Error)
			}
			if r.ResponseBody != "" {
				fmt.Fprintf(stdout, "body: %s\n", r.ResponseBody)
			}
			if r.StatusCode == nil || *r.StatusCode/100 != 2 {
				return errors.New("the test delivery was not accepted")
			}
			return nil
		case "delete":
			if err := api.DeleteWebhookEndpoint(ctx, id); err != nil {
				return apiError(stderr, err)
			}
			fmt.Fprintf(stdout, "deleted %s\n", id)
			return nil
		default:
			on := sub == "enable"
			r, err := api.UpdateWebhookEndpoint(ctx, id, client.WebhookEndpointUpdate{Enabled: &on})
			return printOne(c, r, err, func(r *client.UpdatedWebhookEndpoint) {
				fmt.Fprintf(stdout, "%s %s\n", id, r.WebhookEndpoint.Status)
				if r.Recovery != nil {
					fmt.Fprintf(stdout, "It missed events while disabled. To receive them: curl -X POST %s/v1/webhook_endpoints/%s/recover -H 'Authorization: Bearer $DOCPARSE_API_KEY' -H 'Content-Type: application/json' -d '{\"since\": \"%s\"}'\n",
						c.baseURL, id, r.Recovery.Since.Format(time.RFC3339))
				}
			})
		}
	case "rotate":
		c := newCLI(ctx, "webhooks rotate", "webhooks rotate ENDPOINT_ID [--grace DURATION]", getenv, stdout, stderr)
		grace := c.fs.Duration("grace", 0, "how long the old secret keeps signing too (at most 168h)")
		pos, api, err := c.parseClient(args, 1, 1)
		if err != nil {
			return err
		}
		secret, err := api.RotateWebhookSecret(ctx, pos[0], *grace)
		if err != nil {
			return apiError(stderr, err)
		}
		fmt.Fprintln(stdout, secret)
		return nil
	case "attempts":
		c := newCLI(ctx, "webhooks attempts", "webhooks attempts ENDPOINT_ID [--limit N]", getenv, stdout, stderr)
		limit := c.fs.Int("limit", 20, "how many (at most 100)")
		pos, api, err := c.parseClient(args, 1, 1)
		if err != nil {
			return err
		}
		as, err := api.ListWebhookAttempts(ctx, pos[0])
		if err != nil {
			return apiError(stderr, err)
		}
		if len(as) > *limit {
			as = as[:*limit]
		}
		if c.asJSON {
			return c.printJSON(as)
		}
		var rows [][]string
		for _, a := range as {
			status := "-"
			if a.StatusCode != nil {
				status = strconv.Itoa(*a.StatusCode)
			}
			errText := ""
			if a.Error != nil {
				errText = *a.Error
			}
			rows = append(rows, []string{fmtTime(&a.CreatedAt), a.EventType, a.EventID, strconv.Itoa(a.AttemptNumber), status,
				fmt.Sprintf("%.1f ms", a.LatencyMS), errText})
		}
		c.table("TIME\tEVENT TYPE\tEVENT\tATTEMPT\tSTATUS\tLATENCY\tERROR", rows)
		return nil
	}
	fmt.Fprintf(stderr, "docparse webhooks: unknown command %q\n%s\n", sub, webhooksUsage)
	return errUsage
}

// listenCmd runs a local webhook receiver for developing an integration:
// it verifies each delivery with the secret and prints it.
func listenCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c := newCLI(ctx, "webhooks listen", "webhooks listen --port N --secret whsec_... [--path /]", getenv, stdout, stderr)
	port := c.fs.Int("port", 4000, "port to listen on (127.0.0.1)")
	secret := c.fs.String("secret", getenv("DOCPARSE_WEBHOOK_SECRET"), "the endpoint's signing secret (env DOCPARSE_WEBHOOK_SECRET)")
	if _, err := c.parse(args, 0, 0); err != nil {
		return err
	}
	if *secret == "" {
		fmt.Fprintln(stderr, "docparse webhooks listen: --secret is required (the whsec_... shown when the endpoint was created)")
		return errUsage
	}
	if _, err := client.ParseEvent(*secret, http.Header{}, nil); err != nil && strings.Contains(err.Error(), "secret") {
		fmt.Fprintf(stderr, "docparse webhooks listen: %v\n", err)
		return errUsage
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(*port)))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	inner := client.WebhookHandler(*secret, func(_ context.Context, ev *client.Event) error {
		if c.asJSON {
			return c.printJSON(ev)
		}
		fmt.Fprintf(stdout, "%s  %-22s %s  verified\n  %s\n", time.Now().Format("15:04:05"), ev.Type, ev.ID, ev.Data)
		return nil
	})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusRecorder{ResponseWriter: w}
		inner.ServeHTTP(sw, r)
		if sw.status >= 400 {
			fmt.Fprintf(stdout, "%s  rejected a delivery: %d (%s)\n", time.Now().Format("15:04:05"), sw.status, strings.TrimSpace(sw.body.String()))
		}
	})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stderr, "listening on http://%s/ (register it with --allow-private-webhooks on the server); Ctrl-C to stop\n", ln.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	case err := <-done:
		return err
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	body   strings.Builder
}

func (w *statusRecorder) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = 200
	}
	if w.status >= 400 {
		w.body.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

// eventsCmd: docparse events tail [--after EVT] [--follow].
func eventsCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "tail" {
		fmt.Fprintln(stderr, "usage: docparse events tail [--after EVENT_ID] [--type T1,T2] [--no-follow] [--every 3s]")
		return errUsage
	}
	c := newCLI(ctx, "events tail", "events tail [--after EVENT_ID] [--type T1,T2] [--no-follow] [--every 3s]", getenv, stdout, stderr)
	after := c.fs.String("after", "", "start after this event id (default: from the oldest kept)")
	types := c.fs.String("type", "", "comma-separated event types")
	noFollow := c.fs.Bool("no-follow", false, "stop at the end of the feed instead of waiting for new events")
	every := c.fs.Duration("every", 3*time.Second, "how often to look for new events when following (2s-60s)")
	if _, err := c.parse(args[1:], 0, 0); err != nil {
		return err
	}
	if *every < 2*time.Second || *every > time.Minute {
		fmt.Fprintln(stderr, "docparse events tail: --every must be from 2s to 60s")
		return errUsage
	}
	api, err := c.client()
	if err != nil {
		return err
	}
	ts := wire.SplitEventTypes(*types)
	cursor := *after
	for {
		for ev, err := range api.EventsAfter(ctx, cursor, ts...) {
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return apiError(stderr, err)
			}
			cursor = ev.ID
			if c.asJSON {
				if err := c.printJSON(ev); err != nil {
					return err
				}
				continue
			}
			var ds []string
			for _, d := range ev.Deliveries {
				ds = append(ds, d.EndpointID+":"+d.Status)
			}
			fmt.Fprintf(stdout, "%s  %-22s %s  %s  %s\n", ev.CreatedAt.Local().Format("2006-01-02 15:04:05"), ev.Type, ev.ID,
				string(ev.Data), strings.Join(ds, " "))
		}
		if *noFollow {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(*every):
		}
	}
}
