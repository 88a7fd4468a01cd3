package dashboard

import (
	"html/template"
	"io/fs"
	"path"
	"reflect"
	"strings"
	"testing"
	"text/template/parse"

	"github.com/docparse/docparse/internal/docparse"
)

// pageViews are the view type of each page template.
var pageViews = map[string]any{
	"api": apiView{}, "attempt": attemptView{}, "batch": batchView{}, "classification": classificationView{},
	"classification_batch": classificationBatchView{}, "classification_form": classificationFormView{},
	"classifications": listView[docparse.Classification]{}, "endpoint_secret": endpointSecretView{}, "endpoint_test": endpointTestView{},
	"error": errorView{}, "extraction": extractionView{}, "extraction_form": extractionFormView{}, "extractions": listView[docparse.Extraction]{},
	"file": fileView{}, "key_created": keyCreatedView{}, "login": loginView{}, "logs": logsView{}, "overview": overviewView{}, "review": reviewView{},
}

// TestTemplateFields checks every field a page names, in every branch
// and in the parts it calls, against the page's view type: a field the
// view lacks fails only when its branch runs, as a 500.
func TestTemplateFields(t *testing.T) {
	t.Parallel()
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		page := strings.TrimSuffix(path.Base(name), ".html")
		if page == "layout" || strings.HasPrefix(page, "_") {
			continue
		}
		v, ok := pageViews[page]
		if !ok {
			t.Errorf("page %s has no view type in pageViews", page)
			continue
		}
		tmpl := template.Must(template.New("layout.html").Funcs(funcs).
			ParseFS(templateFS, "templates/layout.html", "templates/_*.html", name))
		c := &fieldChecker{t: t, page: page, tmpl: tmpl, seen: map[string]bool{}}
		c.template("layout.html", reflect.TypeOf(v))
		// A list page's rows reach it through the schemalist part's args,
		// which hide their type: check them against the listed type.
		if items, ok := reflect.TypeOf(v).FieldByName("Items"); ok && tmpl.Lookup("listrow") != nil {
			c.template("listrow", items.Type.Elem())
		}
	}
}

// fieldChecker walks a page's templates knowing the type of dot and of
// each variable where it can; an unknown type (a function's result, an
// interface) is not checked further.
type fieldChecker struct {
	t    *testing.T
	page string
	tmpl *template.Template
	seen map[string]bool // template name and dot type, walked
}

type scope struct {
	dot  reflect.Type
	vars map[string]reflect.Type
}

func (c *fieldChecker) template(name string, dot reflect.Type) {
	key := name + " " + dot.String()
	if c.seen[key] {
		return
	}
	c.seen[key] = true
	tmpl := c.tmpl.Lookup(name)
	if tmpl == nil {
		c.t.Errorf("%s: no template %q", c.page, name)
		return
	}
	c.walk(tmpl.Tree.Root, &scope{dot: dot, vars: map[string]reflect.Type{"$": dot}})
}

func (c *fieldChecker) walk(n parse.Node, s *scope) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, x := range n.Nodes {
			c.walk(x, s)
		}
	case *parse.ActionNode:
		c.pipe(n.Pipe, s)
	case *parse.IfNode:
		c.pipe(n.Pipe, s)
		c.walk(n.List, s)
		c.walk(n.ElseList, s)
	case *parse.WithNode:
		t := c.pipe(n.Pipe, s)
		c.walk(n.List, &scope{dot: t, vars: s.vars})
		c.walk(n.ElseList, s)
	case *parse.RangeNode:
		var elem reflect.Type
		if t := c.pipe(n.Pipe, s); t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map) {
			elem = t.Elem()
		}
		if len(n.Pipe.Decl) > 0 {
			s.vars[n.Pipe.Decl[len(n.Pipe.Decl)-1].Ident[0]] = elem
		}
		c.walk(n.List, &scope{dot: elem, vars: s.vars})
		c.walk(n.ElseList, s)
	case *parse.TemplateNode:
		if n.Pipe == nil {
			return
		}
		if t := c.pipe(n.Pipe, s); t != nil {
			c.template(n.Name, t)
		}
	}
}

// pipe checks a pipeline and returns its type, nil when unknown.
func (c *fieldChecker) pipe(p *parse.PipeNode, s *scope) reflect.Type {
	var t reflect.Type
	for _, cmd := range p.Cmds {
		t = nil
		for i, arg := range cmd.Args {
			at := c.arg(arg, s)
			if i == 0 && len(cmd.Args) == 1 {
				t = at
			}
		}
	}
	for _, d := range p.Decl {
		s.vars[d.Ident[0]] = t
	}
	return t
}

func (c *fieldChecker) arg(n parse.Node, s *scope) reflect.Type {
	switch n := n.(type) {
	case *parse.FieldNode:
		return c.chain(s.dot, n.Ident, n.String())
	case *parse.VariableNode:
		return c.chain(s.vars[n.Ident[0]], n.Ident[1:], n.String())
	case *parse.PipeNode:
		return c.pipe(n, s)
	case *parse.DotNode:
		return s.dot
	}
	return nil
}

// chain follows the fields and methods idents from t.
func (c *fieldChecker) chain(t reflect.Type, idents []string, where string) reflect.Type {
	for _, id := range idents {
		if t == nil {
			return nil
		}
		if m, ok := t.MethodByName(id); ok && m.Type.NumOut() > 0 {
			t = m.Type.Out(0)
			continue
		}
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Struct:
			f, ok := t.FieldByName(id)
			if !ok || !f.IsExported() {
				c.t.Errorf("%s: %s: %s has no field %s", c.page, where, t, id)
				return nil
			}
			t = f.Type
		case reflect.Map:
			t = t.Elem()
		case reflect.Interface:
			return nil
		default:
			c.t.Errorf("%s: %s: %s has no field %s", c.page, where, t, id)
			return nil
		}
	}
	return t
}
