package dashboard

import (
	"context"
	"net/http"
	"net/url"

	"github.com/docparse/docparse/internal/docparse"
	"github.com/docparse/docparse/internal/pipeline"
)

// The new and edit pages of the extractions and of the classifications,
// and their posts: newPage, editPage and saving, for each formKind.

// A formKind is what the new and edit pages of one kind of thing, and
// their posts, differ in: the schema form of an extraction
// (extractionForms), the category form of a classification
// (classificationForms).
type formKind[In any, F postedForm[F], T any] struct {
	noun   string // "extraction": its pages are under /dashboard/extractions, its path value extraction_id
	blank  T      // what the new page's form shows
	of     func(v T, action string, editing bool) F
	read   func(form url.Values, editing bool) (In, F)
	show   func(h *Handler, w http.ResponseWriter, r *http.Request, sess docparse.Session, status int, f F) error
	get    func(h *Handler, r *http.Request, sess docparse.Session) (T, error)
	create func(s *pipeline.Service, ctx context.Context, accountID string, in In) (T, error)
	update func(s *pipeline.Service, ctx context.Context, accountID, id string, in In) (T, error)
	id     func(T) string
}

// postedForm is a form read from a post, with the problems found
// reading it.
type postedForm[F any] interface {
	// at is the form posting to action; back links to the page of what
	// it edits ("" on the new page).
	at(action, back string) F
	// invalid reports whether reading the form found problems.
	invalid() bool
	// failed reports whether err is a validation error and returns the
	// form showing its problems.
	failed(err error) (F, bool)
}

// newPage is the new page of kind k: its form, showing k.blank.
func newPage[In any, F postedForm[F], T any](h *Handler, k formKind[In, F, T]) sessionFunc {
	return func(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
		return k.show(h, w, r, sess, http.StatusOK, k.of(k.blank, "/dashboard/"+k.noun+"s", false))
	}
}

// editPage is the edit page of kind k: its form, showing what the path
// names.
func editPage[In any, F postedForm[F], T any](h *Handler, k formKind[In, F, T]) sessionFunc {
	return func(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
		v, err := k.get(h, r, sess)
		if err != nil {
			return err
		}
		return k.show(h, w, r, sess, http.StatusOK, k.of(v, "/dashboard/"+k.noun+"s/"+k.id(v)+"/edit", true))
	}
}

// saving is the post of the new page's form of kind k (creating) or of
// its edit page's, whose path names what it updates. It sends the
// browser on to the page of what it saved, or shows the form again (400)
// with the problems found reading or saving it.
func saving[In any, F postedForm[F], T any](h *Handler, k formKind[In, F, T]) sessionFunc {
	return func(w http.ResponseWriter, r *http.Request, sess docparse.Session) error {
		base := "/dashboard/" + k.noun + "s"
		id := r.PathValue(k.noun + "_id")
		editing := id != ""
		if editing {
			if _, err := k.get(h, r, sess); err != nil {
				return err
			}
		}
		in, f := k.read(r.PostForm, editing)
		if f = f.at(base, ""); editing {
			f = f.at(base+"/"+id+"/edit", base+"/"+id)
		}
		if f.invalid() {
			return k.show(h, w, r, sess, http.StatusBadRequest, f)
		}
		verb := "updated"
		var err error
		if editing {
			_, err = k.update(h.svc, r.Context(), sess.AccountID, id, in)
		} else {
			var v T
			v, err = k.create(h.svc, r.Context(), sess.AccountID, in)
			id, verb = k.id(v), "created"
		}
		if f, ok := f.failed(err); ok {
			return k.show(h, w, r, sess, http.StatusBadRequest, f)
		}
		if err != nil {
			return err
		}
		return h.changed(w, r, sess, base+"/"+id, "dashboard "+verb+" "+k.noun, k.noun+"_id", id)
	}
}
