package directives

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tidtam/tidtam/internal/apperr"
	"github.com/tidtam/tidtam/internal/auth"
	"github.com/tidtam/tidtam/internal/letters"
	"github.com/tidtam/tidtam/models"
)

// MaxLetterRunes bounds the text of a letter given to ParseLetter.
const MaxLetterRunes = 100_000

// ParsedLetter is what ParseLetter read from a letter: the draft in the
// form Issue takes, with warnings and unknown names (letters.Letter).
type ParsedLetter = letters.Letter

// ParseLetter reads text with letters.Parse against the provinces and
// districts of the unit table and the target sets; it writes nothing.
func (s *service) ParseLetter(ctx context.Context, p *auth.Principal, text string) (ParsedLetter, error) {
	if err := requireIssuer(p); err != nil {
		return ParsedLetter{}, err
	}
	if strings.TrimSpace(text) == "" {
		return ParsedLetter{}, apperr.Field("text", "กรุณาวางข้อความของหนังสือ (text is required: paste the letter)")
	}
	if n := utf8.RuneCountInString(text); n > MaxLetterRunes {
		return ParsedLetter{}, apperr.Field("text", "ยาวเกิน %d ตัวอักษร (longer than %d characters)", MaxLetterRunes, MaxLetterRunes).
			WithDetails(map[string]string{"rule": "max", "limit": strconv.Itoa(MaxLetterRunes)})
	}
	names, err := s.letterNames(ctx)
	if err != nil {
		return ParsedLetter{}, err
	}
	return letters.Parse(text, names), nil
}

// letterNames loads the names a letter may target: provinces, districts
// and target sets.
func (s *service) letterNames(ctx context.Context) (letters.Names, error) {
	var names letters.Names
	var units []models.Unit
	if err := s.db(ctx).Where("type IN ?", []models.UnitType{models.UnitProvince, models.UnitDistrict}).Order("code").Find(&units).Error; err != nil {
		return names, err
	}
	for _, u := range units {
		n := letters.Name{Code: u.Code, NameTH: u.NameTH, NameEN: u.NameEN}
		if u.Type == models.UnitProvince {
			names.Provinces = append(names.Provinces, n)
			continue
		}
		if u.ParentCode != nil {
			n.Parent = *u.ParentCode
		}
		names.Districts = append(names.Districts, n)
	}
	var sets []models.TargetSet
	if err := s.db(ctx).Order("code").Find(&sets).Error; err != nil {
		return names, err
	}
	for _, t := range sets {
		names.Sets = append(names.Sets, letters.Name{Code: t.Code, NameTH: t.NameTH, NameEN: t.NameEN})
	}
	return names, nil
}
