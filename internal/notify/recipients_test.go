package notify_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/tidtam/tidtam/internal/notify"
	"github.com/tidtam/tidtam/internal/store/storetest"
	"github.com/tidtam/tidtam/models"
)

func usernames(rs notify.Recipients) []string {
	var out []string
	for _, a := range rs.Accounts {
		out = append(out, a.Username)
	}
	slices.Sort(out)
	return out
}

func emails(rs notify.Recipients) []string {
	var out []string
	for _, e := range rs.Emails {
		out = append(out, strings.ToLower(e.Address))
	}
	slices.Sort(out)
	return out
}

func webhookURLs(rs notify.Recipients) []string {
	var out []string
	for _, w := range rs.Webhooks {
		out = append(out, w.URL)
	}
	slices.Sort(out)
	return out
}

func TestResolveRecipients(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *gorm.DB) {
		o := seedOrg(t, db)
		region8 := 8
		for _, tc := range []struct {
			name     string
			spec     string // JSON as stored in notifications.recipients
			accounts []string
			emails   []string
			webhooks []string
		}{
			{"unit: its accounts, its address once, its webhooks",
				`{"unit_codes":["20"]}`,
				[]string{"gov20", "staff20", "vice20"},
				[]string{"gov@chonburi.go.th", "saraban@chonburi.go.th", "vice@chonburi.go.th"},
				[]string{"http://127.0.0.1:1/20", "http://127.0.0.1:1/all"}},
			{"inactive webhook and other units left out",
				`{"unit_codes":["21"]}`, []string{"staff21"}, []string{"staff@rayong.go.th"}, []string{"http://127.0.0.1:1/all"}},
			{"head of a province: governor and vice governor",
				`{"head_of_units":["20"]}`, []string{"gov20", "vice20"}, []string{"gov@chonburi.go.th", "vice@chonburi.go.th"},
				[]string{"http://127.0.0.1:1/20", "http://127.0.0.1:1/all"}},
			{"head of a province without heads: all its accounts",
				`{"head_of_units":["21"]}`, []string{"staff21"}, []string{"staff@rayong.go.th"}, []string{"http://127.0.0.1:1/all"}},
			{"unit positions as the assignment workflow writes them",
				`{"unit_positions":[{"unit_code":"20","positions":["governor","palad"]}]}`, []string{"gov20"}, []string{"gov@chonburi.go.th"},
				[]string{"http://127.0.0.1:1/20", "http://127.0.0.1:1/all"}},
			{"inspectors of a region",
				`{"role_regions":[{"role":"inspector","region":8}]}`, []string{"insp8"}, []string{"insp8@moi.go.th"}, []string{"http://127.0.0.1:1/all"}},
			{"province accounts of a region by their unit",
				`{"role_regions":[{"role":"province","region":8}]}`, []string{"gov20", "staff20", "staff21", "vice20"}, nil, nil},
			{"district accounts of a region by their province",
				`{"role_regions":[{"role":"district","region":8}]}`, []string{"dist2001"}, []string{"mueang@chonburi.go.th"}, nil},
			{"a whole role",
				`{"role_regions":[{"role":"secretariat"}]}`, []string{"sec"}, []string{"sec@oncb.go.th"}, nil},
			{"malformed address: inbox only",
				`{"role_regions":[{"role":"inspector","region":5}]}`, []string{"insp5"}, []string{}, nil},
			{"disabled accounts never",
				`{"account_ids":[` + itoa64(o.id("off20")) + `,` + itoa64(o.id("admin")) + `]}`, []string{"admin"}, []string{"admin@oncb.go.th"}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				spec, err := notify.ParseRecipientSpec(tc.spec)
				if err != nil {
					t.Fatal(err)
				}
				rs, err := notify.ResolveRecipients(t.Context(), db, spec)
				if err != nil {
					t.Fatal(err)
				}
				if got := usernames(rs); !slices.Equal(got, tc.accounts) {
					t.Errorf("accounts = %v, want %v", got, tc.accounts)
				}
				if tc.emails != nil {
					if got := emails(rs); !slices.Equal(got, tc.emails) && !(len(got) == 0 && len(tc.emails) == 0) {
						t.Errorf("emails = %v, want %v", got, tc.emails)
					}
				}
				if tc.webhooks != nil {
					if got := webhookURLs(rs); !slices.Equal(got, tc.webhooks) {
						t.Errorf("webhooks = %v, want %v", got, tc.webhooks)
					}
				}
			})
		}

		// A spec as the directive workflows store it (JSON through the
		// activities) reads back the same.
		raw, err := json.Marshal(notify.RecipientSpec{
			UnitPositions: []notify.UnitPositions{{UnitCode: "20", Positions: notify.HeadPositions}},
			RoleRegions:   []notify.RoleRegion{{Role: models.RoleInspector, Region: &region8}},
		})
		if err != nil {
			t.Fatal(err)
		}
		spec, err := notify.ParseRecipientSpec(string(raw))
		if err != nil {
			t.Fatal(err)
		}
		rs, err := notify.ResolveRecipients(t.Context(), db, spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := usernames(rs); !slices.Equal(got, []string{"gov20", "insp8", "vice20"}) {
			t.Errorf("the stored spec resolved to %v", got)
		}
	})
}

func itoa64(n int64) string { b, _ := json.Marshal(n); return string(b) }
